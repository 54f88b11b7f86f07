/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/cfg_if-aaa84c6537dd1649.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libcfg_if-aaa84c6537dd1649.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libcfg_if-aaa84c6537dd1649.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs:
