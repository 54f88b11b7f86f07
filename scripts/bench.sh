#!/usr/bin/env bash
# Core benchmarks beside `openssl speed rsa2048`, in one sitting, with the ratios the project targets:
# default backend signs at >= 0.8x OpenSSL; end-to-end response verification >= 0.5x OpenSSL verify.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
openssl speed -seconds 5 rsa2048 2>/dev/null | grep -E '^rsa +2048' | tail -1 > "$out.openssl"
cargo bench -p alipay-openapi --bench core -- --output-format bencher 2>/dev/null | grep '^test ' > "$out"
python3 - "$out" "$out.openssl" <<'PY'
import re, sys
rates = {}
for line in open(sys.argv[1]):
    m = re.match(r"test (\S+) \.\.\. bench:\s+([\d,]+) ns/iter", line)
    if m:
        rates[m.group(1)] = 1e9 / int(m.group(2).replace(",", ""))
line = open(sys.argv[2]).read()
# "rsa 2048 bits <sign s>s <verify s>s [...] <sign/s> <verify/s> [...]": the first two bare numbers
# after "bits" are the rates.
rates_text = line.split("bits", 1)[1].split()
ossl_sign, ossl_verify = [float(f) for f in rates_text if re.fullmatch(r"[\d.]+", f)][:2]
print(f"openssl speed rsa2048: {ossl_sign:,.0f} signs/s, {ossl_verify:,.0f} verifies/s")
for name, rate in sorted(rates.items()):
    ref = ossl_verify if "verify" in name else ossl_sign
    unit = "verifications/s" if "verify" in name else "ops/s"
    ratio = f"  ({rate / ref:.2f}x OpenSSL)" if "sign_request" in name or "verify" in name else ""
    print(f"{name:28s} {rate:>12,.0f} {unit}{ratio}")
PY
