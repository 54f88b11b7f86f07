// Writes the GBK table of core/src/charset/gbk_table.rs from this JVM's Charset.forName("GBK"),
// the charset the Alipay Java SDK signs with. Run through scripts/gen-gbk-table.sh.
//
//   java GbkTable table FILE   the Rust table (DECODE: every byte pair's code point)
//   java GbkTable dump FILE    every answer of the codec, one a line, for tests/gbk.rs:
//                              "E XXXX YYYY" (code point XXXX encodes to bytes YYYY or "-"),
//                              "D BB... XXXX" (bytes decode to code point XXXX or "-")
//
// Before writing anything it checks the assumptions the Rust codec rests on and fails otherwise:
// single bytes 00..7F are ASCII and no other single byte decodes; a byte pair decodes to one
// BMP code point or is an error; the pairs that decode and the code points that encode are a
// bijection (encoding what a pair decodes to gives that pair back); decoding is stateless (random
// byte strings decode as the table says).
import java.io.*;
import java.nio.*;
import java.nio.charset.*;
import java.util.*;

public class GbkTable {
    static final int LEAD_MIN = 0x81, LEAD_MAX = 0xFE, TRAIL_MIN = 0x40, TRAIL_MAX = 0xFE;
    static final int TRAILS = TRAIL_MAX - TRAIL_MIN; // 0x40..=0xFE without 0x7F

    static final Charset GBK = Charset.forName("GBK");
    static final CharsetDecoder DEC = GBK.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    static final CharsetEncoder ENC = GBK.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    static String decode(byte[] bytes) {
        try {
            return DEC.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static byte[] encode(char c) {
        try {
            ByteBuffer out = ENC.encode(CharBuffer.wrap(new char[] {c}));
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static int index(int lead, int trail) {
        return (lead - LEAD_MIN) * TRAILS + (trail < 0x7F ? trail - TRAIL_MIN : trail - TRAIL_MIN - 1);
    }

    static void fail(String why) {
        throw new IllegalStateException("Java's GBK breaks an assumption of the Rust codec: " + why);
    }

    /** decode[index(lead, trail)]: the pair's code point, or 0 when the pair is not a character. */
    static int[] table() {
        for (int b = 0; b < 0x100; b++) {
            String s = decode(new byte[] {(byte) b});
            boolean ascii = b < 0x80;
            if (ascii != (s != null) || (s != null && (s.length() != 1 || s.charAt(0) != b))) {
                fail(String.format("single byte %02X decodes to %s", b, s));
            }
        }
        int[] decode = new int[(LEAD_MAX - LEAD_MIN + 1) * TRAILS];
        for (int lead = 0x80; lead < 0x100; lead++) {
            for (int trail = 0; trail < 0x100; trail++) {
                String s = decode(new byte[] {(byte) lead, (byte) trail});
                if (s == null) {
                    continue;
                }
                boolean inGrid = lead >= LEAD_MIN && lead <= LEAD_MAX && trail >= TRAIL_MIN && trail <= TRAIL_MAX
                        && trail != 0x7F;
                if (!inGrid || s.length() != 1 || s.charAt(0) < 0x80 || Character.isSurrogate(s.charAt(0))) {
                    fail(String.format("pair %02X%02X decodes to %d chars", lead, trail, s.length()));
                }
                decode[index(lead, trail)] = s.charAt(0);
            }
        }
        // Encoding: one byte for ASCII, else exactly the pair that decodes to the code point.
        int[] encode = new int[0x10000];
        Arrays.fill(encode, -1);
        for (int lead = LEAD_MIN; lead <= LEAD_MAX; lead++) {
            for (int trail = TRAIL_MIN; trail <= TRAIL_MAX; trail++) {
                if (trail == 0x7F || decode[index(lead, trail)] == 0) {
                    continue;
                }
                int c = decode[index(lead, trail)];
                if (encode[c] != -1) {
                    fail(String.format("U+%04X is decoded from both %04X and %02X%02X", c, encode[c], lead, trail));
                }
                encode[c] = lead << 8 | trail;
            }
        }
        for (int c = 0; c < 0x10000; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            byte[] bytes = encode((char) c);
            int expected = c < 0x80 ? c : encode[c];
            int got = bytes == null ? -1 : bytes.length == 1 ? bytes[0] & 0xFF
                    : bytes.length == 2 ? (bytes[0] & 0xFF) << 8 | (bytes[1] & 0xFF) : -2;
            if (got != expected || (c >= 0x80 && bytes != null && bytes.length != 2)) {
                fail(String.format("U+%04X encodes to %X, not to the pair that decodes to it (%X)", c, got, expected));
            }
        }
        Random random = new Random(936);
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = new byte[1 + random.nextInt(8)];
            for (int i = 0; i < bytes.length; i++) {
                int r = random.nextInt(4);
                bytes[i] = (byte) (r == 0 ? random.nextInt(0x80) : r == 1 ? 0x80 + random.nextInt(0x80)
                        : r == 2 ? LEAD_MIN + random.nextInt(LEAD_MAX - LEAD_MIN + 1) : 0x3F + random.nextInt(0xC1));
            }
            if (!Objects.equals(decode(bytes), model(decode, bytes))) {
                fail("decoding depends on more than the current byte pair: " + Arrays.toString(bytes));
            }
        }
        return decode;
    }

    static String model(int[] decode, byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                out.append((char) b);
                continue;
            }
            if (b < LEAD_MIN || b > LEAD_MAX || i + 1 == bytes.length) {
                return null;
            }
            int t = bytes[++i] & 0xFF;
            if (t < TRAIL_MIN || t > TRAIL_MAX || t == 0x7F || decode[index(b, t)] == 0) {
                return null;
            }
            out.append((char) decode[index(b, t)]);
        }
        return out.toString();
    }

    static void writeTable(int[] decode, PrintStream out) {
        int mapped = 0;
        for (int c : decode) {
            mapped += c == 0 ? 0 : 1;
        }
        out.println("//! GBK as Java encodes it: generated by scripts/gen-gbk-table.sh from Java's");
        out.println("//! `Charset.forName(\"GBK\")`. Do not edit; regenerate it (docs/GBK.md).");
        out.println("//!");
        out.println("//! Bytes 00..=7F are ASCII; 80 and FF are errors. A lead byte 81..=FE and a trail byte 40..=FE");
        out.println("//! other than 7F decode to `DECODE[(lead - 0x81) * 190 + trail - 0x40 - (trail > 0x7F)]`");
        out.println("//! (0: an error), where `DECODE` is the running sum (wrapping, in u16) of `DECODE_DELTAS`:");
        out.println("//! neighbouring pairs mostly map to neighbouring code points, so the deltas gzip to a third");
        out.println("//! of the plain table, which the WebAssembly module pays for. The generator checked that");
        out.println("//! encoding is the exact inverse: a code point encodes to the one pair that decodes to it,");
        out.println("//! and a code point no pair decodes to is unencodable. " + mapped + " of " + decode.length + " pairs are");
        out.println("//! characters.");
        out.println();
        out.println("/// Each byte pair's code point minus the previous pair's (wrapping), row by row (lead byte),");
        out.println("/// trail bytes 40..=7E then 80..=FE.");
        out.println("#[rustfmt::skip]");
        out.println("pub(crate) static DECODE_DELTAS: [u16; " + decode.length + "] = [");
        for (int lead = LEAD_MIN; lead <= LEAD_MAX; lead++) {
            out.printf("    // %02X%n", lead);
            int row = (lead - LEAD_MIN) * TRAILS;
            for (int i = 0; i < TRAILS; i += 14) {
                StringBuilder line = new StringBuilder("   ");
                for (int j = i; j < Math.min(i + 14, TRAILS); j++) {
                    int previous = row + j == 0 ? 0 : decode[row + j - 1];
                    line.append(String.format(" 0x%04X,", (decode[row + j] - previous) & 0xFFFF));
                }
                out.println(line);
            }
        }
        out.println("];");
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02X", b & 0xFF));
        }
        return s.toString();
    }

    static void writeDump(PrintStream out) {
        for (int c = 0; c < 0x10000; c++) {
            if (!Character.isSurrogate((char) c)) {
                byte[] bytes = encode((char) c);
                out.printf("E %04X %s%n", c, bytes == null ? "-" : hex(bytes));
            }
        }
        for (int b = 0; b < 0x100; b++) {
            String s = decode(new byte[] {(byte) b});
            out.printf("D %02X %s%n", b, s == null ? "-" : String.format("%04X", (int) s.charAt(0)));
        }
        for (int lead = 0x80; lead < 0x100; lead++) {
            for (int trail = 0; trail < 0x100; trail++) {
                String s = decode(new byte[] {(byte) lead, (byte) trail});
                // Two characters only when the lead byte is one by itself (never, for Java's GBK).
                out.printf("D %02X%02X %s%n", lead, trail,
                        s == null ? "-" : s.length() == 1 ? String.format("%04X", (int) s.charAt(0)) : "?");
            }
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !(args[0].equals("table") || args[0].equals("dump"))) {
            System.err.println("usage: java GbkTable table|dump FILE");
            System.exit(2);
        }
        int[] decode = table();
        try (PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(args[1])), false, "UTF-8")) {
            if (args[0].equals("table")) {
                writeTable(decode, out);
            } else {
                writeDump(out);
            }
        }
    }
}
