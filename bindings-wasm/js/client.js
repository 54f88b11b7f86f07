// The package's public API: the wasm engine plus the host's RSA where there is one.
//
// This file has no imports or exports of its own: the build appends `module.exports = { createApi }`
// for the Node (CommonJS) build and `export { createApi }` for the web and bundler builds, so the
// same text serves every host. Every protocol rule stays in the engine; this layer only moves bytes
// to and from the host's crypto (see the engine's crate docs, src/lib.rs, for the host paths), and
// contains a trap of the engine (a Rust panic aborts the wasm instance): the call throws an
// AlipayError `internal_panic`, the module is instantiated afresh and clients rebuild their engine
// from their options and the certificates added since, so the next call works.

// Per engine module, not per entry: the default and the fallback entries share one engine, and a
// fresh instance made for one of them is fresh for both.
const engineStates = new WeakMap();

/**
 * @param {typeof import('./engine')} engine the wasm-bindgen module
 * @param {{ nodeCrypto?: typeof import('node:crypto'), subtle?: SubtleCrypto, signer?: { RsaSigner: Function, RsaVerifier: Function } }} host
 *   the host's crypto; `signer` is the fallback entry's RSA add-on module
 */
function createApi(engine, host) {
  const RSA_ALGORITHM_ID = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

  function derLength(length) {
    if (length < 0x80) return [length];
    const bytes = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    return [0x80 | bytes.length, ...bytes];
  }

  function derSequence(content) {
    return Uint8Array.from([0x30, ...derLength(content.length), ...content]);
  }

  // The key text was validated by the engine already: take the PEM body (or the bare base64) and decode.
  function pkcs8Der(text, form) {
    const pem = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END /.exec(text);
    const binary = atob((pem ? pem[1] : text).replace(/\s+/g, ''));
    const der = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    if (form === 'pkcs8') return der;
    // PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } }: WebCrypto only takes PKCS#8.
    return derSequence([0x02, 0x01, 0x00, ...RSA_ALGORITHM_ID, 0x04, ...derLength(der.length), ...der]);
  }

  // The engine names the key of every verification by its SPKI DER: the host imports each key once.
  function keyCache(importKey) {
    const keys = new Map();
    let last; // the key of the previous call: nearly always the one asked for again
    const same = (a, b) => {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    };
    return (spki) => {
      if (last && same(last.spki, spki)) return last.key;
      const id = String.fromCharCode(...spki); // at most ~550 bytes (4096-bit keys)
      if (!keys.has(id)) keys.set(id, importKey(spki));
      last = { spki, key: keys.get(id) };
      return last.key;
    };
  }

  // `verify(message, signature, spki, signType)`: the engine names the key and the hash of each
  // check (a certificate's signature may use another hash than the client's sign type).
  function nodeRsa(nodeCrypto, signType, pkcs8, spki) {
    const hash = (type) => (type === 'RSA2' ? 'sha256' : 'sha1');
    const privateKey = pkcs8 && nodeCrypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const publicKey = keyCache((der) => nodeCrypto.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }));
    if (spki) publicKey(spki); // a key the platform refuses fails here, at construction
    return {
      sign: privateKey && ((message) => nodeCrypto.sign(hash(signType), message, privateKey)),
      verify: spki && ((message, signature, keySpki, type) => nodeCrypto.verify(hash(type), message, publicKey(keySpki), signature)),
    };
  }

  function webRsa(subtle, signType, pkcs8, spki) {
    const algorithm = (type) => ({ name: 'RSASSA-PKCS1-v1_5', hash: type === 'RSA2' ? 'SHA-256' : 'SHA-1' });
    const imported = (format, der, usage, type) => {
      const key = subtle.importKey(format, der, algorithm(type), false, [usage]);
      key.catch(() => {}); // reported by the first call that awaits it
      return key;
    };
    const privateKey = pkcs8 && imported('pkcs8', pkcs8, 'sign', signType);
    // A WebCrypto key is bound to its hash: one cache per sign type.
    const publicKeys = { RSA2: keyCache((der) => imported('spki', der, 'verify', 'RSA2')), RSA: keyCache((der) => imported('spki', der, 'verify', 'RSA')) };
    if (spki) publicKeys[signType](spki);
    return {
      async: true,
      sign: privateKey && (async (message) => new Uint8Array(await subtle.sign(algorithm(signType), await privateKey, message))),
      verify: spki && (async (message, signature, keySpki, type) => subtle.verify(algorithm(type), await publicKeys[type](keySpki), signature, message)),
    };
  }

  // A trap of the engine (WebAssembly.RuntimeError: `unreachable` after a Rust panic, an
  // out-of-memory abort) or a stack overflow inside it leaves the instance unusable.
  if (!engineStates.has(engine)) engineStates.set(engine, { generation: 0, poisoned: false });
  const state = engineStates.get(engine);

  function isTrap(error) {
    return (
      (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError) ||
      (error instanceof RangeError && /call stack/i.test(error.message))
    );
  }

  function internalPanic(rule) {
    const error = new Error(`internal error in the WebAssembly engine (a Rust panic or abort): ${rule}`);
    error.name = 'AlipayError';
    error.code = 'internal_panic';
    return error;
  }

  /** Runs an engine call; a trap becomes `internal_panic` and a fresh instance for the next call. */
  function guarded(run) {
    if (state.poisoned) throw internalPanic('an earlier call trapped and this build cannot reinstantiate the module; reload it');
    try {
      return run();
    } catch (error) {
      if (!isTrap(error)) throw error;
      if (typeof engine.__wbg_reset_state === 'function') {
        engine.__wbg_reset_state();
        state.generation++;
        throw internalPanic('the call failed; the module was instantiated afresh and later calls work');
      }
      state.poisoned = true; // the bundler build's instance cannot be replaced
      throw internalPanic('the call failed; reload the module');
    }
  }

  /** JS type mistakes in positional arguments get the same typed error as the engine's own checks. */
  function requireString(value, field) {
    if (typeof value !== 'string') throw engine.invalidFieldError(field, `must be a string, not ${value === null ? 'null' : typeof value}`);
    return value;
  }

  // The engine takes a 16-bit status; anything else becomes 0, which the engine refuses by name.
  const statusArg = (value) => (Number.isInteger(value) && value >= 0 && value <= 0xffff ? value : 0);

  // 128 random bits as 32 hex digits: a v3 nonce or request id the caller did not give.
  function freshId() {
    const bytes = host.nodeCrypto ? host.nodeCrypto.randomBytes(16) : globalThis.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // A v3 call's options with what varies per attempt drawn when absent (the timestamp comes from
  // the engine's clock); anything but a plain object goes to the engine, which names the mistake.
  function v3Request(request) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) return request;
    return { ...request, nonce: request.nonce ?? freshId(), requestId: request.requestId ?? freshId() };
  }

  // fetch's `Headers` (and any Map-like) as pairs; arrays and plain objects go as they are.
  function headerPairs(headers) {
    return headers && !Array.isArray(headers) && typeof headers.entries === 'function' ? Array.from(headers.entries()) : headers;
  }

  const BACKENDS = ['node', 'webcrypto', 'wasm'];

  function chooseBackend(requested) {
    if (requested !== undefined && !BACKENDS.includes(requested)) {
      throw engine.invalidFieldError('crypto', 'must be `node`, `webcrypto` or `wasm`');
    }
    const backend = requested ?? (host.nodeCrypto ? 'node' : !host.signer && host.subtle ? 'webcrypto' : 'wasm');
    if (backend === 'node' && !host.nodeCrypto) {
      throw engine.invalidFieldError('crypto', 'node:crypto is not available in this build; use `webcrypto` or `wasm`');
    }
    if (backend === 'webcrypto' && !host.subtle) {
      throw engine.invalidFieldError('crypto', 'crypto.subtle is not available here (it needs a secure context); use `wasm`');
    }
    return backend;
  }

  function syncOnly(rsa, method) {
    if (rsa.async) {
      throw engine.invalidFieldError('crypto', `the webcrypto backend is asynchronous: call ${method}Async`);
    }
  }

  // The host's verdict on a check: the index of the first message that verifies.
  function firstVerified(check, verify) {
    const { messages, signature, spki, signType } = check;
    for (let i = 0; i < messages.length; i++) if (verify(messages[i], signature, spki, signType)) return i;
    return undefined;
  }

  async function firstVerifiedAsync(check, verify) {
    const { messages, signature, spki, signType } = check;
    for (let i = 0; i < messages.length; i++) if (await verify(messages[i], signature, spki, signType)) return i;
    return undefined;
  }

  // The host's verdict on a stage: for a certificate chain one boolean per check, for a pending
  // verification the index of the message that verified.
  function verdictOf(stage, verify) {
    if (!(stage instanceof engine.PendingCertificateChain)) return firstVerified(stage, verify);
    return stage.checks.map((check) => firstVerified(check, verify) !== undefined);
  }

  async function verdictOfAsync(stage, verify) {
    if (!(stage instanceof engine.PendingCertificateChain)) return firstVerifiedAsync(stage, verify);
    const verdicts = [];
    for (const check of stage.checks) verdicts.push((await firstVerifiedAsync(check, verify)) !== undefined);
    return verdicts;
  }

  // The engine's own RSA decided (no host key): replayed as such.
  const OWN = Symbol('own RSA');
  const finishWith = (stage, verdict) => (verdict === OWN ? stage.finishOwn() : stage.finish(verdict));

  class AlipayClient {
    #options;
    #added = []; // certificate additions since construction, replayed on a fresh engine
    #generation;
    #engineObject;
    #backend;
    #rsa;

    constructor(options) {
      const { crypto: requested, ...coreOptions } = options !== null && typeof options === 'object' ? options : {};
      this.#options = options !== null && typeof options === 'object' ? coreOptions : options;
      this.#engineObject = guarded(() => new engine.Client(this.#options));
      this.#generation = state.generation;
      this.#backend = chooseBackend(requested);
      const e = this.#engineObject;
      const form = e.privateKeyForm;
      const pkcs8 = form && pkcs8Der(coreOptions.privateKey, form);
      const spki = e.alipayPublicKeySpki;
      const signType = e.signType;
      if (this.#backend === 'node') this.#rsa = nodeRsa(host.nodeCrypto, signType, pkcs8, spki);
      else if (this.#backend === 'webcrypto') this.#rsa = webRsa(host.subtle, signType, pkcs8, spki);
      else if (host.signer) {
        const signer = form && new host.signer.RsaSigner(coreOptions.privateKey, signType);
        const verifier = keyCache((der) => new host.signer.RsaVerifier(der));
        this.#rsa = {
          sign: signer && ((message) => signer.sign(message)),
          verify: spki && ((message, signature, keySpki, type) => verifier(keySpki).verify(type, message, signature)),
        };
      } else this.#rsa = {}; // no RSA here: the engine's own stages throw the core's `rsa_unavailable`
    }

    // The engine client, rebuilt after the module was instantiated afresh.
    get #engine() {
      if (this.#generation !== state.generation) {
        const fresh = guarded(() => new engine.Client(this.#options));
        for (const add of this.#added) guarded(() => add(fresh));
        this.#engineObject = fresh;
        this.#generation = state.generation;
      }
      return this.#engineObject;
    }

    // Runs `call` on the engine client, inside the trap guard.
    #call(call) {
      return guarded(() => call(this.#engine));
    }

    get backend() {
      return this.#backend;
    }

    get signType() {
      return this.#call((e) => e.signType);
    }

    get charset() {
      return this.#call((e) => e.charset);
    }

    /** Certificate mode: the SNs of the Alipay certificates this client knows. */
    get alipayCertSns() {
      return this.#call((e) => e.alipayCertSns);
    }

    // A certificate addition is replayed on a fresh engine with the verdicts it had.
    addAlipayCertificate(pem, now = Date.now()) {
      if (this.#rsa.verify) syncOnly(this.#rsa, 'addAlipayCertificate');
      const [sn, verdict] = this.#finishSync(this.beginAddAlipayCertificate(pem, now));
      this.#added.push((e) => finishWith(e.beginAddAlipayCertificate(pem, now), verdict));
      return sn;
    }

    async addAlipayCertificateAsync(pem, now = Date.now()) {
      const [sn, verdict] = await this.#finishAsync(this.beginAddAlipayCertificate(pem, now));
      this.#added.push((e) => finishWith(e.beginAddAlipayCertificate(pem, now), verdict));
      return sn;
    }

    addDownloadedCertificate(body, now = Date.now()) {
      if (this.#rsa.verify) syncOnly(this.#rsa, 'addDownloadedCertificate');
      const [pending, chainVerdict] = this.#finishSync(this.beginAddDownloadedCertificate(body, now));
      const [sn, verdict] = this.#finishSync(pending);
      this.#added.push((e) => finishWith(finishWith(e.beginAddDownloadedCertificate(body, now), chainVerdict), verdict));
      return sn;
    }

    async addDownloadedCertificateAsync(body, now = Date.now()) {
      const [pending, chainVerdict] = await this.#finishAsync(this.beginAddDownloadedCertificate(body, now));
      const [sn, verdict] = await this.#finishAsync(pending);
      this.#added.push((e) => finishWith(finishWith(e.beginAddDownloadedCertificate(body, now), chainVerdict), verdict));
      return sn;
    }

    /** The first stage of `addAlipayCertificate`: the chain's signatures, for an RSA of the caller's own. */
    beginAddAlipayCertificate(pem, now = Date.now()) {
      requireString(pem, 'pem');
      return this.#call((e) => e.beginAddAlipayCertificate(pem, now));
    }

    prepare(request) {
      return this.#call((e) => e.prepare(request));
    }

    prepareCall(method, fields, options) {
      requireString(method, 'method');
      return this.#call((e) => e.prepareCall(method, fields, options));
    }

    sign(request) {
      return this.#signSync('sign', (e) => e.prepare(request), (e) => e.sign(request));
    }

    async signAsync(request) {
      return this.#signAsync((e) => e.prepare(request), (e) => e.sign(request));
    }

    signCall(method, fields, options) {
      requireString(method, 'method');
      return this.#signSync('signCall', (e) => e.prepareCall(method, fields, options), (e) => e.signCall(method, fields, options));
    }

    async signCallAsync(method, fields, options) {
      requireString(method, 'method');
      return this.#signAsync((e) => e.prepareCall(method, fields, options), (e) => e.signCall(method, fields, options));
    }

    /** The first stage of `verifyResponse`, for an RSA of the caller's own (a KMS, an HSM). */
    beginVerifyResponse(method, body) {
      requireString(method, 'method');
      return this.#call((e) => e.beginVerifyResponse(method, body));
    }

    beginParseResponse(method, body) {
      requireString(method, 'method');
      return this.#call((e) => e.beginParseResponse(method, body));
    }

    beginVerifyNotification(input, options) {
      return this.#call((e) => e.beginVerifyNotification(input, options));
    }

    beginVerifyReturn(input, options) {
      if (typeof URLSearchParams !== 'undefined' && input instanceof URLSearchParams) {
        // Its entries would reach the engine as an empty object, and it keeps duplicates the engine must see.
        throw engine.invalidFieldError('query', 'must be the raw query string (`url.search`) or its bytes, not URLSearchParams');
      }
      return this.#call((e) => e.beginVerifyReturn(input, options));
    }

    beginVerifyMiniProgram(payload) {
      return this.#call((e) => e.beginVerifyMiniProgram(payload));
    }

    beginAddDownloadedCertificate(body, now = Date.now()) {
      return this.#call((e) => e.beginAddDownloadedCertificate(body, now));
    }

    verifyResponse(method, body) {
      return this.#verifySync('verifyResponse', () => this.beginVerifyResponse(method, body));
    }

    async verifyResponseAsync(method, body) {
      return this.#verifyAsync(this.beginVerifyResponse(method, body));
    }

    parseResponse(method, body) {
      return this.#verifySync('parseResponse', () => this.beginParseResponse(method, body));
    }

    async parseResponseAsync(method, body) {
      return this.#verifyAsync(this.beginParseResponse(method, body));
    }

    verifyNotification(input, options) {
      return this.#verifySync('verifyNotification', () => this.beginVerifyNotification(input, options));
    }

    async verifyNotificationAsync(input, options) {
      return this.#verifyAsync(this.beginVerifyNotification(input, options));
    }

    prepareV3(request) {
      const fixed = v3Request(request);
      return this.#call((e) => e.prepareV3(fixed));
    }

    signV3(request) {
      const fixed = v3Request(request);
      return this.#signSync('signV3', (e) => e.prepareV3(fixed), (e) => e.signV3(fixed));
    }

    async signV3Async(request) {
      const fixed = v3Request(request);
      return this.#signAsync((e) => e.prepareV3(fixed), (e) => e.signV3(fixed));
    }

    beginVerifyV3Response(status, headers, body) {
      return this.#call((e) => e.beginVerifyV3Response(statusArg(status), headerPairs(headers), body));
    }

    verifyV3Response(status, headers, body) {
      return this.#verifySync('verifyV3Response', () => this.beginVerifyV3Response(status, headers, body));
    }

    async verifyV3ResponseAsync(status, headers, body) {
      return this.#verifyAsync(this.beginVerifyV3Response(status, headers, body));
    }

    verifyReturn(input, options) {
      return this.#verifySync('verifyReturn', () => this.beginVerifyReturn(input, options));
    }

    async verifyReturnAsync(input, options) {
      return this.#verifyAsync(this.beginVerifyReturn(input, options));
    }

    verifyMiniProgram(payload) {
      return this.#verifySync('verifyMiniProgram', () => this.beginVerifyMiniProgram(payload));
    }

    async verifyMiniProgramAsync(payload) {
      return this.#verifyAsync(this.beginVerifyMiniProgram(payload));
    }

    // Without a host key the engine signs, or throws the core's own error when there is no key.
    #signSync(name, prepare, engineSign) {
      if (!this.#rsa.sign) return this.#call(engineSign);
      syncOnly(this.#rsa, name);
      const prepared = this.#call(prepare);
      let signature;
      try {
        signature = this.#rsa.sign(prepared.signContentBytes);
      } catch (error) {
        prepared.free();
        throw error;
      }
      return guarded(() => prepared.attachSignature(signature));
    }

    async #signAsync(prepare, engineSign) {
      if (!this.#rsa.sign) return this.#call(engineSign);
      const prepared = this.#call(prepare);
      let signature;
      try {
        signature = await this.#rsa.sign(prepared.signContentBytes);
      } catch (error) {
        prepared.free();
        throw error;
      }
      return guarded(() => prepared.attachSignature(signature));
    }

    #verifySync(name, begin) {
      if (this.#rsa.verify) syncOnly(this.#rsa, name);
      return this.#finishSync(begin())[0];
    }

    async #verifyAsync(pending) {
      return (await this.#finishAsync(pending))[0];
    }

    // Finishes a stage with the host's verdict, or without a host key with the engine's own RSA (or
    // the core's own error when there is none); returns the result and the verdict.
    #finishSync(stage) {
      if (!this.#rsa.verify) return [guarded(() => stage.finishOwn()), OWN];
      let verdict;
      try {
        verdict = verdictOf(stage, this.#rsa.verify);
      } catch (error) {
        stage.free();
        throw error;
      }
      return [guarded(() => stage.finish(verdict)), verdict];
    }

    async #finishAsync(stage) {
      if (!this.#rsa.verify) return [guarded(() => stage.finishOwn()), OWN];
      let verdict;
      try {
        verdict = await verdictOfAsync(stage, this.#rsa.verify);
      } catch (error) {
        stage.free();
        throw error;
      }
      return [guarded(() => stage.finish(verdict)), verdict];
    }
  }

  /** The typed APIs: `{ name, method }` each, from the core's table. */
  function apis() {
    return guarded(() => engine.apis());
  }

  function isAlipayError(error) {
    return error instanceof Error && error.name === 'AlipayError' && typeof error.code === 'string';
  }

  /** The SN of the first certificate in `pem`: `app_cert_sn`, or an Alipay certificate's SN. */
  function certSn(pem) {
    return guarded(() => engine.certSn(requireString(pem, 'pem')));
  }

  /** `alipay_root_cert_sn` of a root bundle. */
  function rootCertSn(pem) {
    return guarded(() => engine.rootCertSn(requireString(pem, 'pem')));
  }

  /** Holds a verified notification's fields against your order (amount in integer fen). */
  function checkOrder(fields, order) {
    guarded(() => engine.checkOrder(fields, order));
  }

  /** Test only: forces a Rust panic inside the engine (see `internal_panic`). */
  function __testPanic() {
    guarded(() => engine.__testPanic());
  }

  return { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic };
}
