package io.kvpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadPositionTest {

    @Test
    void theOffsetFormRoundTrips() {
        ReadPosition position = ReadPosition.parse("3:1042");
        assertThat(position).isEqualTo(new ReadPosition(3, 1042));
        assertThat(position.byVersion()).isFalse();
        assertThat(position.version()).isEqualTo(ReadPosition.NONE);
        assertThat(position.token()).isEqualTo("3:1042");
    }

    @Test
    void theVersionFormRoundTrips() {
        ReadPosition position = ReadPosition.parse("3:v7");
        assertThat(position).isEqualTo(ReadPosition.atVersion(3, 7));
        assertThat(position.byVersion()).isTrue();
        assertThat(position.offset()).isEqualTo(ReadPosition.NONE);
        assertThat(position.token()).isEqualTo("3:v7");
    }

    @Test
    void versionZeroIsAnAbsentKeysVersion() {
        assertThat(ReadPosition.parse("0:v0").version()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3", ":5", "3:", "3:v", "x:5", "3:x", "3:-1", "3:v-1", "-1:5", "3:5:6", "3:vv1"})
    void malformedTokensAreRefusedNamingBothForms(String token) {
        assertThatThrownBy(() -> ReadPosition.parse(token))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<partition>:<offset> or <partition>:v<version>");
    }

    @Test
    void aPositionHasExactlyOneOfOffsetAndVersion() {
        assertThatThrownBy(() -> new ReadPosition(1, 5, 7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReadPosition(1, ReadPosition.NONE, ReadPosition.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
