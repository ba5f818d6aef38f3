import { adapterSuite } from './suite.js';

adapterSuite('sqlite');
