/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/crypto_common-19db550de6573890.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libcrypto_common-19db550de6573890.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libcrypto_common-19db550de6573890.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/crypto-common-0.1.7/src/lib.rs:
