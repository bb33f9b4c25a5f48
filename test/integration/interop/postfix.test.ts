import { defineInteropSuite } from './suite';

defineInteropSuite('postfix');
