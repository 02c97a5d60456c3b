package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.membership.MemberStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class QueryRouterTest {

    private static final HostInfo SELF = new HostInfo("a", 1);
    private static final HostInfo B = new HostInfo("b", 1);
    private static final HostInfo C = new HostInfo("c", 1);
    private static final HostInfo D = new HostInfo("d", 1);

    private final Map<HostInfo, MemberStatus> statuses = new HashMap<>();
    private final QueryRouter router =
            new QueryRouter(SELF, h -> statuses.getOrDefault(h, MemberStatus.UNKNOWN));

    private List<Route> plan(HostInfo active, Set<HostInfo> standbys) {
        return router.plan(KeyLocation.of(3, active, standbys), Hop.ORIGIN);
    }

    @Test
    void theActiveHereServesLocallyThenReplicasAreTheFallback() {
        statuses.put(B, MemberStatus.ALIVE);
        assertThat(plan(SELF, Set.of(B))).containsExactly(
                Route.local(Route.Kind.LOCAL_PRIMARY), new Route(Route.Kind.FORWARD_REPLICA, B));
    }

    @Test
    void aLiveOrSuspectedOrUnknownActiveElsewhereIsForwardedTo() {
        for (MemberStatus status : List.of(MemberStatus.ALIVE, MemberStatus.SUSPECTED, MemberStatus.UNKNOWN)) {
            statuses.put(B, status);
            assertThat(plan(B, Set.of(SELF))).as("active %s", status).containsExactly(
                    new Route(Route.Kind.FORWARD_PRIMARY, B), Route.local(Route.Kind.LOCAL_REPLICA));
        }
    }

    @Test
    void aDeadActiveIsSkippedForTheLocalStandby() {
        statuses.put(B, MemberStatus.DEAD);
        statuses.put(C, MemberStatus.ALIVE);
        assertThat(plan(B, Set.of(SELF, C))).containsExactly(
                Route.local(Route.Kind.LOCAL_REPLICA), new Route(Route.Kind.FORWARD_REPLICA, C));
    }

    @Test
    void aDeadActiveWithNoLocalStandbyGoesToLiveStandbysAliveFirstNeverDead() {
        statuses.put(B, MemberStatus.DEAD);
        statuses.put(C, MemberStatus.SUSPECTED);
        statuses.put(D, MemberStatus.ALIVE);
        HostInfo e = new HostInfo("e", 1);
        statuses.put(e, MemberStatus.DEAD);
        HostInfo f = new HostInfo("f", 1); // never beat: UNKNOWN
        assertThat(plan(B, Set.of(C, D, e, f))).containsExactly(
                new Route(Route.Kind.FORWARD_REPLICA, D),
                new Route(Route.Kind.FORWARD_REPLICA, f),
                new Route(Route.Kind.FORWARD_REPLICA, C));
    }

    @Test
    void nothingToTryWhenEveryHolderIsDeadOrTheMetadataIsUnavailable() {
        statuses.put(B, MemberStatus.DEAD);
        statuses.put(C, MemberStatus.DEAD);
        assertThat(plan(B, Set.of(C))).isEmpty();
        assertThat(router.plan(KeyLocation.unavailable("rebalancing"), Hop.ORIGIN)).isEmpty();
    }

    @Test
    void noActiveKnownGoesToReplicas() {
        statuses.put(C, MemberStatus.ALIVE);
        assertThat(plan(null, Set.of(C))).containsExactly(new Route(Route.Kind.FORWARD_REPLICA, C));
    }

    @Test
    void aForwardedReadIsServedHereOrNotAtAllSoForwardingNeverLoops() {
        KeyLocation elsewhere = KeyLocation.of(3, B, Set.of(C));
        assertThat(router.plan(elsewhere, Hop.FOR_PRIMARY)).containsExactly(Route.local(Route.Kind.LOCAL_PRIMARY));
        assertThat(router.plan(elsewhere, Hop.FOR_REPLICA)).containsExactly(Route.local(Route.Kind.LOCAL_REPLICA));
    }
}
