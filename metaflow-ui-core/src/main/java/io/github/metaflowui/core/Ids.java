package io.github.metaflowui.core;

/** Comparison of ids without parsing them as numbers. */
final class Ids {
    private Ids() {
    }

    static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Digit strings by numeric magnitude (equal magnitudes by text), before all other strings, which
     * compare lexically. Zero only for equal strings.
     */
    static int compare(String a, String b) {
        boolean da = isDigits(a);
        boolean db = isDigits(b);
        if (da && db) {
            String sa = stripZeros(a);
            String sb = stripZeros(b);
            if (sa.length() != sb.length()) {
                return Integer.compare(sa.length(), sb.length());
            }
            int c = sa.compareTo(sb);
            // same magnitude, different spelling ("007" and "7"): order by text so that
            // compareTo stays consistent with equals
            return c != 0 ? c : a.compareTo(b);
        }
        if (da != db) {
            return da ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static String stripZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') {
            i++;
        }
        return s.substring(i);
    }
}
