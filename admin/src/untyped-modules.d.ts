// @strapi/design-system 1.19 publishes no type declarations.
declare module '@strapi/design-system';
