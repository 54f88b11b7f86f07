/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/flagset-f499dc3c609baf3e.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/flagset-0.4.7/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libflagset-f499dc3c609baf3e.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/flagset-0.4.7/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libflagset-f499dc3c609baf3e.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/flagset-0.4.7/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/flagset-0.4.7/src/lib.rs:
