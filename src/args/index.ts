export * from './classify.js';
export * from './response-file.js';
export * from './rewrite.js';
