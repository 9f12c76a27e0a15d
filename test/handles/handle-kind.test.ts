import { describeHandleCore } from './core-cases.js';

describeHandleCore('memory', () => undefined);
