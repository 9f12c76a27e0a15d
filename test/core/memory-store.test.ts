import { MemoryStore } from '../../src/index.js';
import { describeStoreConformance } from '../../src/testing/index.js';

describeStoreConformance('MemoryStore', () => ({ store: new MemoryStore() }));
