import { adapterSuite } from './suite.js';

adapterSuite('postgresql');
