#!/usr/bin/env bash
# Regenerates the certificate fixtures in this directory with openssl (see README.md).
# Names and serials are fixed, so the SNs stay the same from run to run; CA keys are fresh on every
# run (and not kept), so signatures change. Java's view: `java CertSn.java *.pem`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keys="$here/../../keys"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat >ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = keep_all
preserve = yes
unique_subject = no
email_in_dn = yes
[keep_all]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
CNF

# sign NAME SUBJECT KEY CA_CERT CA_KEY START END EXT SERIAL_HEX [MD]
# CA_CERT "self" makes a self-signed certificate.
sign() {
  local name=$1 subject=$2 key=$3 ca_cert=$4 ca_key=$5 start=$6 end=$7 ext=$8 serial=$9 md=${10:-sha256}
  : >index.txt
  echo "$serial" >serial
  openssl req -new -utf8 -key "$key" -subj "$subject" -out "$name.csr" 2>/dev/null
  local issuer=(-cert "$ca_cert" -keyfile "$ca_key")
  [ "$ca_cert" = self ] && issuer=(-selfsign -keyfile "$key")
  openssl ca -batch -config ca.cnf -notext -utf8 -md "$md" -extensions "$ext" "${issuer[@]}" \
    -startdate "$start" -enddate "$end" -in "$name.csr" -out "$name.pem" 2>/dev/null
}

for k in root int fake_int other_root legacy_root special; do openssl genrsa -out "$k.key" 2048 2>/dev/null; done
openssl ecparam -name prime256v1 -genkey -noout -out ec_root.key

sign root "/C=CN/ST=Zhejiang/L=Hangzhou/O=Alipay OpenAPI Tests, Root/CN=Test Root CA R1" root.key self - \
  20200101000000Z 20500101000000Z ca_ext 0A01
sign int "/C=CN/O=Alipay OpenAPI Tests/OU=Certification Authority/CN=Test Class 2 CA R1" int.key root.pem root.key \
  20200101000000Z 20450101000000Z ca_ext 0B02
# Same name as the intermediate, another key: what it signs does not verify under the real one.
sign fake_int "/C=CN/O=Alipay OpenAPI Tests/OU=Certification Authority/CN=Test Class 2 CA R1" fake_int.key root.pem \
  root.key 20200101000000Z 20450101000000Z ca_ext 0B03
sign other_root "/C=CN/O=Other Tests/CN=Other Root CA" other_root.key self - 20200101000000Z 20500101000000Z ca_ext 0C04
sign legacy_root "/C=CN/O=Legacy Tests/OU=Legacy Trust Network/CN=Legacy Root CA - G3" legacy_root.key self - \
  20200101000000Z 20450101000000Z ca_ext 10C764E9D560384212D9C08FD10E373FDD0FB396 sha1
openssl req -x509 -new -key ec_root.key -subj "/C=CN/O=EC Tests/CN=Test EC Root E1" -days 9000 -sha256 \
  -out ec_root.pem 2>/dev/null

leaf_subject="/C=CN/O=Alipay OpenAPI Tests/OU=Alipay/CN=Test Alipay Public Cert"
alipay_key="$keys/alipay_2048.private.pkcs1.pem"
sign alipay "$leaf_subject" "$alipay_key" int.pem int.key 20240101000000Z 20340101000000Z leaf_ext 1D01
sign alipay_new "$leaf_subject" "$keys/other_2048.private.pkcs1.pem" int.pem int.key \
  20250101000000Z 20350101000000Z leaf_ext 1D02
sign expired "$leaf_subject" "$alipay_key" int.pem int.key 20200101000000Z 20210101000000Z leaf_ext 1D03
sign not_yet_valid "$leaf_subject" "$alipay_key" int.pem int.key 20400101000000Z 20410101000000Z leaf_ext 1D04
sign forged "$leaf_subject" "$alipay_key" fake_int.pem fake_int.key 20240101000000Z 20340101000000Z leaf_ext 1D05
sign sha1 "$leaf_subject" "$alipay_key" int.pem int.key 20240101000000Z 20340101000000Z leaf_ext 1D06 sha1
sign wrong_root "$leaf_subject" "$alipay_key" other_root.pem other_root.key \
  20240101000000Z 20340101000000Z leaf_ext 1D07
sign app "/C=CN/O=Alipay OpenAPI Tests/OU=Alipay/CN=2021000000000001" "$keys/app_2048.private.pkcs1.pem" \
  int.pem int.key 20240101000000Z 20340101000000Z leaf_ext 1E01
# Issued by the app certificate, which is not a CA.
sign via_non_ca "$leaf_subject" "$alipay_key" app.pem "$keys/app_2048.private.pkcs1.pem" \
  20240101000000Z 20340101000000Z leaf_ext 1D08
# Self-signed (issuer = subject): RFC 2253 escaping, a multi-valued RDN, UTF-8, a type without a
# keyword (emailAddress) and a 20-byte serial. `openssl ca` would flatten the multi-valued RDN.
openssl req -x509 -new -utf8 -key special.key -set_serial 0x7FEDCBA9876543210FEDCBA9876543210FEDCBA9 -days 3650 \
  -subj '/C=CN/ST=浙江/L=Hang=zhou/O=#Hash, "Quoted" <Co>; Ltd\\/OU= lead+OU=trail /CN=a\+b/emailAddress=ca@example.com' \
  -out special.pem 2>/dev/null

# Issuers in BMPString and T61String: Java (so the gateway) reads the bytes of every string type
# as UTF-8, so these SNs hash mangled text, and the library must do the same.
for mask in 0x800:bmp 0x4:t61; do
  printf '[req]\ndistinguished_name = dn\nstring_mask = MASK:%s\n[dn]\n' "${mask%%:*}" >mask.cnf
  openssl req -x509 -new -utf8 -config mask.cnf -key special.key -set_serial 1 -days 3650 \
    -subj "/C=CN/O=Tests & Co/CN=Zürich & Ü" -out "${mask##*:}_issuer.pem" 2>/dev/null
done

out="$here"
cat alipay.pem int.pem >"$out/alipay_cert.pem"
cat alipay_new.pem int.pem >"$out/alipay_cert_new.pem"
cat expired.pem int.pem >"$out/alipay_cert_expired.pem"
cat not_yet_valid.pem int.pem >"$out/alipay_cert_not_yet_valid.pem"
cat forged.pem int.pem >"$out/alipay_cert_forged.pem"
cat sha1.pem int.pem >"$out/alipay_cert_sha1.pem"
cat wrong_root.pem >"$out/alipay_cert_wrong_root.pem"
cat via_non_ca.pem app.pem int.pem >"$out/alipay_cert_via_non_ca.pem"
cat app.pem >"$out/app_cert.pem"
cat ec_root.pem root.pem legacy_root.pem >"$out/root_bundle.pem"
cat special.pem >"$out/special_issuer.pem"
cat bmp_issuer.pem >"$out/bmp_issuer.pem"
cat t61_issuer.pem >"$out/t61_issuer.pem"

# Expected SNs, computed independently of the library: MD5 of openssl's RFC 2253 issuer (UTF-8
# kept raw, as Java does) followed by the decimal serial.
sn() {
  local issuer serial_hex
  issuer=$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253,-esc_msb | sed 's/^issuer=//')
  serial_hex=$(openssl x509 -in "$1" -noout -serial | sed 's/^serial=//')
  printf '%s%s' "$issuer" "$(python3 -c "print(int('$serial_hex', 16))")" | md5sum | cut -d' ' -f1
}
for f in alipay_cert alipay_cert_new app_cert; do echo "$f: $(sn "$out/$f.pem")"; done
echo "root_bundle (RSA roots only): $(sn root.pem)_$(sn legacy_root.pem)"
