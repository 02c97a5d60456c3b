package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.ExpectedVersion;
import io.kvpipe.producers.client.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One op of {@code txn} as written on the command line, {@code NAME:ARGS}:
 *
 * <pre>
 * put:KEY=VALUE          set KEY to VALUE (VALUE may be empty or hold '=')
 * del:KEY                delete KEY (also delete:KEY)
 * cas:KEY@N=VALUE        set KEY to VALUE if KEY is at version N
 * cas:KEY@absent=VALUE   set KEY to VALUE if KEY is absent
 * add:KEY+N, add:KEY-N   add N to the number at KEY (absent counts as 0)
 * add:KEY-N>=F           ... unless the result would fall below F (a guarded debit)
 * check:KEY@N            KEY must be at version N (writes nothing)
 * check:KEY@absent       KEY must be absent
 * </pre>
 *
 * The name ends at the first {@code :}, so keys may hold colons ({@code put:user:42=Ada}). In
 * {@code put} and {@code cas} the key ends at the first {@code =}; the condition of {@code cas}
 * and {@code check} follows the last {@code @}; the delta of {@code add} is the signed number at
 * the end, after the key and before an optional {@code >=F}. So a key with {@code =} cannot be
 * put here (use {@code put KEY VALUE}).
 */
final class TxnOpParser {

    /** The shortest key such that the rest is exactly {@code [+-]N} or {@code [+-]N>=F}. */
    private static final Pattern ADD = Pattern.compile("(.+?)([+-]\\d+)(?:>=([+-]?\\d+))?");

    private TxnOpParser() {}

    /** The ops, in order. @throws IllegalArgumentException at the first malformed one */
    static List<Op> parseAll(List<String> specs) {
        List<Op> ops = new ArrayList<>(specs.size());
        for (String spec : specs) {
            ops.add(parse(spec));
        }
        return ops;
    }

    /**
     * The op {@code spec} stands for.
     *
     * @throws IllegalArgumentException naming the spec and the form it should have
     */
    static Op parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + spec + "' is not an op: expected NAME:ARGS, e.g. put:k=v"
                    + " (names: put, del, cas, add, check)");
        }
        String name = spec.substring(0, colon);
        String args = spec.substring(colon + 1);
        try {
            return switch (name) {
                case "put" -> put(args);
                case "del", "delete" -> Op.delete(args);
                case "cas" -> cas(args);
                case "add" -> add(args);
                case "check" -> check(args);
                default -> throw new IllegalArgumentException("unknown op name '" + name + "'"
                        + " (names: put, del, cas, add, check)");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + spec + "': " + e.getMessage(), e);
        }
    }

    private static Op put(String args) {
        int eq = args.indexOf('=');
        if (eq < 0) {
            throw form("put:KEY=VALUE");
        }
        return Op.put(args.substring(0, eq), args.substring(eq + 1));
    }

    private static Op cas(String args) {
        int eq = args.indexOf('=');
        if (eq < 0) {
            throw form("cas:KEY@N=VALUE or cas:KEY@absent=VALUE");
        }
        Conditional target = conditional(args.substring(0, eq), "cas:KEY@N=VALUE or cas:KEY@absent=VALUE");
        return Op.compareAndSet(target.key, target.expected, args.substring(eq + 1));
    }

    private static Op check(String args) {
        Conditional target = conditional(args, "check:KEY@N or check:KEY@absent");
        return Op.check(target.key, target.expected);
    }

    private static Op add(String args) {
        Matcher m = ADD.matcher(args);
        if (!m.matches()) {
            throw form("add:KEY+N, add:KEY-N or add:KEY-N>=FLOOR");
        }
        long delta = number(m.group(2), "the delta");
        return m.group(3) == null
                ? Op.add(m.group(1), delta)
                : Op.add(m.group(1), delta, number(m.group(3), "the floor"));
    }

    private record Conditional(String key, ExpectedVersion expected) {}

    /** {@code KEY@N} or {@code KEY@absent}, split at the last {@code @}. */
    private static Conditional conditional(String text, String form) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            throw form(form);
        }
        String condition = text.substring(at + 1);
        ExpectedVersion expected;
        if (condition.equals("absent")) {
            expected = ExpectedVersion.absent();
        } else if (condition.matches("\\d+")) {
            expected = ExpectedVersion.of(number(condition, "the version"));
        } else {
            throw new IllegalArgumentException("the condition after '@' is a version (0, 1, ...) or 'absent', got '"
                    + condition + "'");
        }
        return new Conditional(text.substring(0, at), expected);
    }

    private static long number(String digits, String what) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " " + digits + " is not a signed 64-bit integer");
        }
    }

    private static IllegalArgumentException form(String form) {
        return new IllegalArgumentException("expected " + form);
    }
}
