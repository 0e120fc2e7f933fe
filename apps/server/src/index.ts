export type { AppDeps } from './app.js';
export { createApp } from './app.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
// The data layer on its own, for the bench's same-work floor (apps/bench/src/service-floor-server.ts).
export { Database } from './db/database.js';
export { createLogger } from './logger.js';
export { MetadataService } from './metadata/metadata.service.js';
