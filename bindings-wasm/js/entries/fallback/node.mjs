import api from './index.cjs';

export const { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } = api;
