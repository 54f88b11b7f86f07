import api from './index.cjs';

export const { AlipayClient, isAlipayError, certSn, rootCertSn, __testPanic } = api;
