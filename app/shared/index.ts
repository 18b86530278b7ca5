export * from './model.ts';
export * from './catalog.ts';
export * from './catalog-ids.ts';
export * from './contract.ts';
export * from './advice.ts';
export * from './key-coverage.ts';
export * from './foreign-catalog.ts';
export * from './study.ts';
