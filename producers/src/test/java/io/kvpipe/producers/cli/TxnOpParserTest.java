package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.client.ExpectedVersion;
import io.kvpipe.producers.client.Op;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TxnOpParserTest {

    private static Op parse(String spec) {
        return TxnOpParser.parse(spec);
    }

    @Test
    void putTakesEverythingAfterTheFirstEqualsAsTheValue() {
        assertThat(parse("put:k=v")).isEqualTo(Op.put("k", "v"));
        assertThat(parse("put:user:42=a=b")).isEqualTo(Op.put("user:42", "a=b"));
        assertThat(parse("put:k=")).isEqualTo(Op.put("k", ""));
        assertThat(parse("put:mail@host=x y")).isEqualTo(Op.put("mail@host", "x y"));
    }

    @Test
    void deleteHasAShortAndALongName() {
        assertThat(parse("del:user:42")).isEqualTo(Op.delete("user:42"));
        assertThat(parse("delete:k=1")).isEqualTo(Op.delete("k=1"));
    }

    @Test
    void casTakesAVersionOrAbsentAfterTheLastAt() {
        assertThat(parse("cas:k@3=v")).isEqualTo(Op.compareAndSet("k", 3, "v"));
        assertThat(parse("cas:k@absent=v")).isEqualTo(Op.compareAndSet("k", ExpectedVersion.absent(), "v"));
        assertThat(parse("cas:a@b@0=x@1")).isEqualTo(Op.compareAndSet("a@b", 0, "x@1"));
    }

    @Test
    void addTakesTheSignedNumberAtTheEndAndAnOptionalFloor() {
        assertThat(parse("add:k+5")).isEqualTo(Op.add("k", 5));
        assertThat(parse("add:k-50")).isEqualTo(Op.add("k", -50));
        assertThat(parse("add:k-50>=0")).isEqualTo(Op.add("k", -50, 0));
        assertThat(parse("add:k+1>=-100")).isEqualTo(Op.add("k", 1, -100));
        // Keys may hold signs and digits: the delta is the last signed number.
        assertThat(parse("add:account-7-50")).isEqualTo(Op.add("account-7", -50));
        assertThat(parse("add:a+1+2>=-3")).isEqualTo(Op.add("a+1", 2, -3));
        assertThat(parse("add:k" + Long.MIN_VALUE)).isEqualTo(Op.add("k", Long.MIN_VALUE));
        assertThat(((Op.Add) parse("add:k+5")).floor()).isEqualTo(OptionalLong.empty());
    }

    @Test
    void checkTakesAVersionOrAbsent() {
        assertThat(parse("check:k@3")).isEqualTo(Op.check("k", 3));
        assertThat(parse("check:k@absent")).isEqualTo(Op.check("k", ExpectedVersion.absent()));
        assertThat(parse("check:x@y@0")).isEqualTo(Op.check("x@y", 0));
    }

    @Test
    void malformedOpsSayWhatFormWasExpected() {
        assertError("k=v", "not an op: expected NAME:ARGS");
        assertError("set:k=v", "unknown op name 'set'");
        assertError("put:k", "expected put:KEY=VALUE");
        assertError("put:=v", "a key must not be empty");
        assertError("del:", "a key must not be empty");
        assertError("cas:k=v", "expected cas:KEY@N=VALUE");
        assertError("cas:k@-1=v", "a version (0, 1, ...) or 'absent', got '-1'");
        assertError("cas:k@three=v", "got 'three'");
        assertError("add:k", "expected add:KEY+N");
        assertError("add:k+", "expected add:KEY+N");
        assertError("add:+5", "expected add:KEY+N");
        assertError("add:k+99999999999999999999", "the delta +99999999999999999999 is not a signed 64-bit integer");
        assertError("add:k-5>=", "expected add:KEY+N");
        assertError("check:k", "expected check:KEY@N");
        assertError("check:k@", "got ''");
    }

    @Test
    void aListIsParsedInOrderUpToTheFirstMalformedOp() {
        assertThat(TxnOpParser.parseAll(List.of("del:b", "put:a=1"))).containsExactly(Op.delete("b"), Op.put("a", "1"));
        assertThatThrownBy(() -> TxnOpParser.parseAll(List.of("del:b", "put:a", "nonsense")))
                .hasMessage("'put:a': expected put:KEY=VALUE");
    }

    private static void assertError(String spec, String message) {
        assertThatThrownBy(() -> parse(spec)).as(spec).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + spec + "'")
                .hasMessageContaining(message);
    }
}
