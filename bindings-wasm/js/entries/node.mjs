import api from './index.cjs';

export const { AlipayClient, isAlipayError } = api;
