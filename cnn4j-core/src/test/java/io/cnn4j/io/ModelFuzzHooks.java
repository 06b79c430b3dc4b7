package io.cnn4j.io;

import java.util.SplittableRandom;

/** Test-side access to FuzzSupport for the fuzz tests in another package. */
public final class ModelFuzzHooks {
    private static final String[] REPLACEMENTS = {"0", "-1", "2147483647", "99999999999", "1e308", "null", "\"x\"", "[]", "{}", "true",
            "3", "[ null, 1 ]", "-2147483648"};

    private ModelFuzzHooks() {
    }

    /**
     * Replaces a random JSON value (a number, string, or literal) in the header with a hostile one,
     * or corrupts a random header character, then fixes the sizes and checksum.
     */
    public static byte[] mutateHeader(byte[] file, SplittableRandom r) {
        return FuzzSupport.rewriteHeader(file, h -> editJson(h, r));
    }

    /** The same JSON edits on a model JSON file's bytes (UTF-8). */
    public static byte[] mutateJson(byte[] json, SplittableRandom r) {
        return editJson(new String(json, java.nio.charset.StandardCharsets.UTF_8), r).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String editJson(String h, SplittableRandom r) {
        {
            StringBuilder sb = new StringBuilder(h);
            int edits = 1 + r.nextInt(3);
            for (int k = 0; k < edits; k++) {
                if (r.nextInt(4) == 0) {
                    int at = r.nextInt(sb.length());
                    sb.setCharAt(at, "{}[],:\"0123456789-ex ".charAt(r.nextInt(21)));
                    continue;
                }
                // find the value after a random ':'
                int colon = sb.indexOf(":", r.nextInt(sb.length()));
                if (colon < 0) {
                    continue;
                }
                int start = colon + 1;
                while (start < sb.length() && sb.charAt(start) == ' ') {
                    start++;
                }
                int end = start;
                if (end < sb.length() && sb.charAt(end) == '"') {
                    end = sb.indexOf("\"", end + 1) + 1;
                } else {
                    while (end < sb.length() && ",}]\n".indexOf(sb.charAt(end)) < 0) {
                        end++;
                    }
                }
                if (end > start && sb.charAt(start) != '{' && sb.charAt(start) != '[') {
                    sb.replace(start, end, REPLACEMENTS[r.nextInt(REPLACEMENTS.length)]);
                }
            }
            return sb.toString();
        }
    }
}
