/work/wt-npm-size/target-exp/release/deps/zeroize_derive-2cb45f63f85e621e.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/zeroize_derive-1.5.0/src/lib.rs

/work/wt-npm-size/target-exp/release/deps/libzeroize_derive-2cb45f63f85e621e.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/zeroize_derive-1.5.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/zeroize_derive-1.5.0/src/lib.rs:
