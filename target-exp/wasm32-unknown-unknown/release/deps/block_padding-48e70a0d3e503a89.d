/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/block_padding-48e70a0d3e503a89.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-padding-0.3.3/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libblock_padding-48e70a0d3e503a89.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-padding-0.3.3/src/lib.rs

/work/wt-npm-size/target-exp/wasm32-unknown-unknown/release/deps/libblock_padding-48e70a0d3e503a89.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-padding-0.3.3/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/block-padding-0.3.3/src/lib.rs:
