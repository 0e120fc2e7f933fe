export type { AppDeps } from './app.js';
export { createApp } from './app.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
