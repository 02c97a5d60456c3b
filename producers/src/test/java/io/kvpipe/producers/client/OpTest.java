package io.kvpipe.producers.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.avro.Check;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.client.internals.Requests;
import io.kvpipe.schemas.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class OpTest {

    private static final ReplyTo REPLY = ReplyTo.newBuilder().setClientId("c").setPartition(0).build();

    @Test
    void keysAreOneTo1024BytesOfUtf8() {
        assertThat(Op.delete("k").key()).isEqualTo("k");
        assertThat(Op.delete("x".repeat(Limits.MAX_KEY_BYTES)).key()).hasSize(1024);
        // 'я' is two bytes in UTF-8: 512 of them fit, 513 do not.
        assertThat(Op.delete("я".repeat(512)).key()).hasSize(512);
        assertThatThrownBy(() -> Op.delete("я".repeat(513)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1026 bytes");
        assertThatThrownBy(() -> Op.delete("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.delete(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysAndValuesMustBeValidUnicode() {
        assertThat(Op.put("🔑", "🔒").key()).isEqualTo("🔑");
        assertThatThrownBy(() -> Op.delete("a\uD83Db")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate at index 1");
        assertThatThrownBy(() -> Op.delete("\uDD11")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.put("k", "x\uD83D")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesAreAtMost256KiB() {
        assertThat(Op.put("k", "v".repeat(Limits.MAX_VALUE_BYTES)).value()).hasSize(Limits.MAX_VALUE_BYTES);
        assertThatThrownBy(() -> Op.put("k", "v".repeat(Limits.MAX_VALUE_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.compareAndSet("k", 1, "v".repeat(Limits.MAX_VALUE_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.put("k", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compareAndSetAndCheckTakeAVersionOrAbsent() {
        assertThat(Op.compareAndSet("k", 0, "v").expected()).isEqualTo(ExpectedVersion.of(0));
        assertThat(Op.compareAndSet("k", ExpectedVersion.absent(), "v").expected().isAbsent()).isTrue();
        assertThat(Op.compareAndSet("k", 3, null).newValue()).isNull(); // deletes when the version matches
        assertThatThrownBy(() -> Op.compareAndSet("k", -1, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.compareAndSet("k", null, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Op.check("k", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ExpectedVersion.of(4).version()).hasValue(4);
        assertThat(ExpectedVersion.absent().version()).isEmpty();
    }

    @Test
    void opsBecomeWireOperations() {
        Request request = Requests.build("id-1", REPLY, List.of(
                Op.put("a", "1"), Op.delete("b"), Op.compareAndSet("c", 7, "x"), Op.compareAndSet("d",
                        ExpectedVersion.absent(), null),
                Op.add("e", -50, 0), Op.add("f", 2), Op.check("g", 9), Op.check("h", ExpectedVersion.absent())), 42);

        assertThat(request.getRequestId()).isEqualTo("id-1");
        assertThat(request.getReplyTo()).isEqualTo(REPLY);
        assertThat(request.getTimestampMs()).isEqualTo(42);
        assertThat(request.getOps()).extracting(o -> o.getKey()).containsExactly("a", "b", "c", "d", "e", "f", "g", "h");
        assertThat(request.getOps().get(2).getAction())
                .isEqualTo(CompareAndSet.newBuilder().setExpectedVersion(7L).setValue("x").build());
        assertThat(request.getOps().get(3).getAction())
                .isEqualTo(CompareAndSet.newBuilder().setExpectedVersion(null).setValue(null).build());
        assertThat(((io.kvpipe.avro.Add) request.getOps().get(4).getAction()).getFloor()).isEqualTo(0L);
        assertThat(((io.kvpipe.avro.Add) request.getOps().get(4).getAction()).getDelta()).isEqualTo(-50L);
        assertThat(((io.kvpipe.avro.Add) request.getOps().get(5).getAction()).getFloor()).isNull();
        assertThat(request.getOps().get(6).getAction()).isEqualTo(Check.newBuilder().setExpectedVersion(9L).build());
        assertThat(request.getOps().get(7).getAction()).isEqualTo(Check.newBuilder().setExpectedVersion(null).build());
        assertThat(Op.add("k", 1).floor()).isEqualTo(OptionalLong.empty());
    }

    @Test
    void aRequestHoldsOneTo64Ops() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < Limits.MAX_OPS; i++) {
            ops.add(Op.add("k" + i, 1));
        }
        assertThat(Requests.build("id", REPLY, ops, 0).getOps()).hasSize(64);
        ops.add(Op.add("one-too-many", 1));
        assertThatThrownBy(() -> Requests.build("id", REPLY, ops, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 64");
        assertThatThrownBy(() -> Requests.build("id", REPLY, List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
