import { User } from '@strapi/icons';

export const UsersIcon = () => <User />;
