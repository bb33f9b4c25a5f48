import { defineInteropSuite } from './suite';

defineInteropSuite('dovecot');
