// Everything goes through the client in api.js; the app itself keeps nothing.
App({});
