package io.cnn4j.model;

import java.util.Collection;
import java.util.Locale;

/**
 * A value the user chose — a command-line option, a field of a study file — is out of range (no
 * Keras counterpart; Keras raises a plain ValueError). The command line exits with 2 (usage error)
 * for it, wherever it is thrown (CLI, study, core). The static checks below are the one place
 * where options are validated, so that every command words the same problem the same way.
 */
public class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the option or field and the value given
     */
    public InvalidSettingException(String message) {
        super(message);
    }

    /**
     * Requires {@code value ≥ 1}.
     *
     * @param name  the option or field, e.g. "--limit"
     * @param value the value given
     * @return the value
     */
    public static int positive(String name, int value) {
        if (value < 1) {
            throw new InvalidSettingException(name + " must be ≥ 1, got " + value);
        }
        return value;
    }

    /**
     * Requires {@code min ≤ value ≤ max}.
     *
     * @param name  the option or field
     * @param value the value given
     * @param min   smallest allowed
     * @param max   largest allowed
     * @return the value
     */
    public static long range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidSettingException(String.format(Locale.ROOT, "%s must be between %d and %d, got %d", name, min, max, value));
        }
        return value;
    }

    /**
     * Requires a finite number with {@code min < value < max} (open interval), e.g. a drop rate.
     *
     * @param name  the option or field
     * @param value the value given
     * @param min   exclusive lower bound
     * @param max   exclusive upper bound
     * @param what  what the value is, for the message (e.g. "the drop probability")
     * @return the value
     */
    public static double open(String name, double value, double min, double max, String what) {
        if (!(value > min && value < max)) {
            throw new InvalidSettingException(name + " is " + what + " and must be in (" + fmt(min) + ", " + fmt(max) + "), got " + value);
        }
        return value;
    }

    /**
     * Requires a finite positive number.
     *
     * @param name  the option or field
     * @param value the value given
     * @return the value
     */
    public static double positiveFinite(String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidSettingException(name + " must be a positive finite number, got " + value);
        }
        return value;
    }

    /**
     * Requires {@code value} to be one of {@code allowed}.
     *
     * @param name    the option or field
     * @param value   the value given
     * @param allowed the accepted values
     * @return the value
     */
    public static String oneOf(String name, String value, Collection<String> allowed) {
        if (!allowed.contains(value)) {
            throw new InvalidSettingException(name + " takes " + String.join(", ", allowed) + "; got '" + value + "'");
        }
        return value;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
