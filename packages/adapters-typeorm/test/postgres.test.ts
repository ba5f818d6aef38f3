import { adapterSuite } from './suite.js';

adapterSuite('postgres');
