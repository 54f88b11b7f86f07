import api from './index.cjs';

export const { AlipayClient, isAlipayError, certSn, rootCertSn, apis, __testPanic } = api;
