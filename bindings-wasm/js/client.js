// The package's public API: the wasm engine plus the host's RSA where there is one.
//
// This file has no imports or exports of its own: the build appends `module.exports = { createApi }`
// for the Node (CommonJS) build and `export { createApi }` for the web and bundler builds, so the
// same text serves every host. Every protocol rule stays in the engine; this layer only moves bytes
// to and from the host's crypto (see the engine's crate docs, src/lib.rs, for the host paths).

/**
 * @param {typeof import('./engine')} engine the wasm-bindgen module
 * @param {{ nodeCrypto?: typeof import('node:crypto'), subtle?: SubtleCrypto }} host the host's crypto
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

  function nodeRsa(nodeCrypto, signType, pkcs8, spki) {
    const hash = signType === 'RSA2' ? 'sha256' : 'sha1';
    const privateKey = pkcs8 && nodeCrypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const publicKey = spki && nodeCrypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return {
      sign: privateKey && ((message) => nodeCrypto.sign(hash, message, privateKey)),
      verify: publicKey && ((message, signature) => nodeCrypto.verify(hash, message, publicKey, signature)),
    };
  }

  function webRsa(subtle, signType, pkcs8, spki) {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: signType === 'RSA2' ? 'SHA-256' : 'SHA-1' };
    const imported = (format, der, usage) => {
      const key = subtle.importKey(format, der, algorithm, false, [usage]);
      key.catch(() => {}); // reported by the first call that awaits it
      return key;
    };
    const privateKey = pkcs8 && imported('pkcs8', pkcs8, 'sign');
    const publicKey = spki && imported('spki', spki, 'verify');
    return {
      async: true,
      sign: privateKey && (async (message) => new Uint8Array(await subtle.sign(algorithm, await privateKey, message))),
      verify: publicKey && (async (message, signature) => subtle.verify(algorithm, await publicKey, signature, message)),
    };
  }

  function chooseBackend(requested) {
    const backend = requested === 'auto' ? (host.nodeCrypto ? 'node' : 'wasm') : requested;
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

  async function firstVerifiedAsync(pending, verify) {
    for (let i = 0; i < pending.messages.length; i++) {
      if (await verify(pending.messages[i], pending.signature)) return i;
    }
    return undefined;
  }

  class AlipayClient {
    #engine;
    #backend;
    #rsa;

    constructor(options) {
      this.#engine = new engine.Client(options);
      this.#backend = chooseBackend(this.#engine.requestedBackend);
      const info = this.#engine.privateKeyInfo;
      const pkcs8 = info && pkcs8Der(options.privateKey, info.form);
      const spki = this.#engine.alipayPublicKeySpki;
      const signType = this.#engine.signType;
      if (this.#backend === 'node') this.#rsa = nodeRsa(host.nodeCrypto, signType, pkcs8, spki);
      else if (this.#backend === 'webcrypto') this.#rsa = webRsa(host.subtle, signType, pkcs8, spki);
      else this.#rsa = {};
    }

    get backend() {
      return this.#backend;
    }

    get signType() {
      return this.#engine.signType;
    }

    get charset() {
      return this.#engine.charset;
    }

    prepare(request) {
      return this.#engine.prepare(request);
    }

    sign(request) {
      return this.#signSync('sign', () => this.#engine.prepare(request), () => this.#engine.sign(request));
    }

    signAsync(request) {
      return this.#signAsync(() => this.#engine.prepare(request), () => this.#engine.sign(request));
    }

    signCall(method, fields, options) {
      const e = this.#engine;
      return this.#signSync('signCall', () => e.prepareCall(method, fields, options), () => e.signCall(method, fields, options));
    }

    signCallAsync(method, fields, options) {
      const e = this.#engine;
      return this.#signAsync(() => e.prepareCall(method, fields, options), () => e.signCall(method, fields, options));
    }

    verifyResponse(method, body) {
      const e = this.#engine;
      return this.#verifySync('verifyResponse', (verify) => e.verifyResponseWith(method, body, verify), () => e.verifyResponse(method, body));
    }

    verifyResponseAsync(method, body) {
      const e = this.#engine;
      return this.#verifyAsync(
        () => e.beginVerifyResponse(method, body),
        (verified) => e.finishVerifyResponse(method, body, verified),
        () => e.verifyResponse(method, body),
      );
    }

    parseResponse(method, body) {
      const e = this.#engine;
      return this.#verifySync('parseResponse', (verify) => e.parseResponseWith(method, body, verify), () => e.parseResponse(method, body));
    }

    parseResponseAsync(method, body) {
      const e = this.#engine;
      return this.#verifyAsync(
        () => e.beginParseResponse(method, body),
        (verified) => e.finishParseResponse(method, body, verified),
        () => e.parseResponse(method, body),
      );
    }

    verifyNotify(input, options) {
      const e = this.#engine;
      return this.#verifySync('verifyNotify', (verify) => e.verifyNotifyWith(input, options, verify), () => e.verifyNotify(input, options));
    }

    verifyNotifyAsync(input, options) {
      const e = this.#engine;
      return this.#verifyAsync(
        () => e.beginVerifyNotify(input, options),
        (verified) => e.finishVerifyNotify(input, options, verified),
        () => e.verifyNotify(input, options),
      );
    }

    // Without a host key the engine signs, or throws the core's own error when there is no key.
    #signSync(name, prepare, engineSign) {
      if (!this.#rsa.sign) return engineSign();
      syncOnly(this.#rsa, name);
      const prepared = prepare();
      let signature;
      try {
        signature = this.#rsa.sign(prepared.signContentBytes);
      } catch (error) {
        prepared.free();
        throw error;
      }
      return prepared.attachSignature(signature);
    }

    async #signAsync(prepare, engineSign) {
      if (!this.#rsa.sign) return engineSign();
      const prepared = prepare();
      let signature;
      try {
        signature = await this.#rsa.sign(prepared.signContentBytes);
      } catch (error) {
        prepared.free();
        throw error;
      }
      return prepared.attachSignature(signature);
    }

    // Without a host key the engine verifies, or throws the core's own error when there is no key.
    #verifySync(name, verifyWithHost, engineVerify) {
      if (!this.#rsa.verify) return engineVerify();
      syncOnly(this.#rsa, name);
      return verifyWithHost(this.#rsa.verify);
    }

    async #verifyAsync(begin, finish, engineVerify) {
      if (!this.#rsa.verify) return engineVerify();
      return finish(await firstVerifiedAsync(begin(), this.#rsa.verify));
    }
  }

  function isAlipayError(error) {
    return error instanceof Error && error.name === 'AlipayError' && typeof error.code === 'string';
  }

  return { AlipayClient, isAlipayError };
}
