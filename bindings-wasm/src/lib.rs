//! WebAssembly bindings (filled by the npm-package issue).
