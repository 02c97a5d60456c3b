package io.kvpipe.app.query;

import io.kvpipe.app.membership.MemberStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Decides how to serve a read of a key, from where Kafka Streams says the key lives and how alive
 * the membership view says each instance is. No I/O: the result is an ordered list of routes, and
 * {@link KvReader} tries them in turn until one answers.
 *
 * <p>For a client's read:
 * <ol>
 *   <li>the primary: this instance's active store if the active is here, else forward to the active
 *       instance, unless the membership view says it is DEAD (SUSPECTED and UNKNOWN are still tried:
 *       a missed beat is not yet a failure, and an instance that never beat may be starting);
 *   <li>then the replicas, if the primary fails or is DEAD: this instance's standby if it holds one,
 *       then the other standby instances that are not DEAD, ALIVE ones first (then UNKNOWN, then
 *       SUSPECTED), in endpoint order within each.
 * </ol>
 * A forwarded read gets exactly one local route (see {@link Hop}), so forwarding never loops.
 */
public final class QueryRouter {

    private final HostInfo self;
    private final Function<HostInfo, MemberStatus> statusOf;

    /**
     * @param self this instance's {@code application.server}
     * @param statusOf the membership status of the instance at an endpoint
     */
    public QueryRouter(HostInfo self, Function<HostInfo, MemberStatus> statusOf) {
        this.self = Objects.requireNonNull(self, "self");
        this.statusOf = Objects.requireNonNull(statusOf, "statusOf");
    }

    /** The routes to try in order; empty if there is none (unavailable metadata, nobody alive). */
    public List<Route> plan(KeyLocation location, Hop hop) {
        if (!location.available()) {
            return List.of();
        }
        switch (hop) {
            case FOR_PRIMARY:
                return List.of(Route.local(Route.Kind.LOCAL_PRIMARY));
            case FOR_REPLICA:
                return List.of(Route.local(Route.Kind.LOCAL_REPLICA));
            default:
                break;
        }
        List<Route> routes = new ArrayList<>();
        HostInfo active = location.active();
        if (self.equals(active)) {
            routes.add(Route.local(Route.Kind.LOCAL_PRIMARY));
        } else if (active != null && statusOf.apply(active) != MemberStatus.DEAD) {
            routes.add(new Route(Route.Kind.FORWARD_PRIMARY, active));
        }
        if (location.standbys().contains(self)) {
            routes.add(Route.local(Route.Kind.LOCAL_REPLICA));
        }
        location.standbys().stream()
                .filter(h -> !h.equals(self) && !h.equals(active))
                .map(h -> new Candidate(h, statusOf.apply(h)))
                .filter(c -> c.status() != MemberStatus.DEAD)
                .sorted(Comparator.comparingInt((Candidate c) -> preference(c.status()))
                        .thenComparing(c -> Endpoints.of(c.host())))
                .forEach(c -> routes.add(new Route(Route.Kind.FORWARD_REPLICA, c.host())));
        return List.copyOf(routes);
    }

    private record Candidate(HostInfo host, MemberStatus status) {}

    private static int preference(MemberStatus status) {
        return switch (status) {
            case ALIVE -> 0;
            case UNKNOWN -> 1;
            case SUSPECTED -> 2;
            case DEAD -> 3;
        };
    }
}
