import { adapterSuite } from './suite.js';

adapterSuite('mariadb');
