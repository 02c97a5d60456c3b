package io.kvpipe.app.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serves {@code GET /kv/{key}} without the web server: locates the key, asks the
 * {@link QueryRouter} for routes and tries them in order.
 *
 * <ul>
 *   <li>200 {@code {"key","value","version","partition","servedBy","role","stale","lag"}}: role
 *       {@code primary} (stale false, lag 0) from an active store, {@code replica} (stale true, lag =
 *       changelog records behind, null if unknown) from a standby. A replica read is never fresh.
 *       Nor is a primary read while this instance has not seen its own heartbeat come back within
 *       the suspect interval (see {@link OwnHeartbeat}): it may be cut off from Kafka while a new
 *       primary takes writes. Such a read is answered {@code "role":"primary","stale":true} with
 *       {@code "sinceOwnBeatMs"} (null if never seen) and lag null; with a read-your-writes
 *       position it is not answered here at all (the route fails, so a replica may answer, else 503).
 *   <li>404 the same fields with {@code "error"} when the key is absent or deleted (a deleted key's
 *       version is given).
 *   <li>400 a position on another partition than the key's.
 *   <li>409 {@code "reason": "not_caught_up"}: the serving store did not reach the position (the
 *       offset applied, or for a version position the key at that version) within
 *       the wait. Not a 503, because 503 means "try elsewhere" between instances, and a replica is no
 *       further along than the primary; the client may retry.
 *   <li>503 no route could serve (metadata unavailable during a rebalance, every holder down); on a
 *       forwarded read, this instance does not hold what was asked, and the forwarder tries the next
 *       route.
 * </ul>
 * A route fails over to the next when the local store is not here (NOT_ACTIVE, NOT_PRESENT, not
 * running) or a forward gets no answer or a 503; any other answer is final.
 */
public final class KvReader {

    private final String instanceId;
    private final KeyLocator locator;
    private final QueryRouter router;
    private final LocalStore store;
    private final Forwarder forwarder;
    private final OwnHeartbeat ownBeat;

    public KvReader(String instanceId, KeyLocator locator, QueryRouter router, LocalStore store, Forwarder forwarder,
            OwnHeartbeat ownBeat) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.router = Objects.requireNonNull(router, "router");
        this.store = Objects.requireNonNull(store, "store");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.ownBeat = Objects.requireNonNull(ownBeat, "ownBeat");
    }

    /**
     * @param position the read-your-writes position, or null
     * @param wait how long to wait for the position
     */
    public Reply get(String key, ReadPosition position, Duration wait, Hop hop) {
        KeyLocation location = locator.locate(key);
        if (!location.available()) {
            return Reply.error(503, "cannot locate key '" + key + "' now: " + location.unavailableBecause()
                    + "; retry shortly");
        }
        int partition = location.partition();
        if (position != null && position.partition() != partition) {
            return Reply.error(400, "position " + position + " is on partition " + position.partition()
                    + ", but key '" + key + "' lives in partition " + partition);
        }
        List<Route> routes = router.plan(location, hop);
        List<String> failures = new ArrayList<>();
        for (Route route : routes) {
            Reply reply = switch (route.kind()) {
                case LOCAL_PRIMARY, LOCAL_REPLICA -> local(key, partition, route, position, wait, failures);
                case FORWARD_PRIMARY, FORWARD_REPLICA -> forward(key, route, position, wait, hop, failures);
            };
            if (reply != null) {
                return reply;
            }
        }
        String why = routes.isEmpty()
                ? (hop == Hop.ORIGIN ? "no live instance holds partition " + partition
                        : "instance " + instanceId + " holds no " + hop.want() + " of partition " + partition)
                : String.join("; ", failures);
        ObjectNode body = Reply.errorBody(503, "key '" + key + "' (partition " + partition + ") cannot be served now: "
                + why);
        body.put("partition", partition).put("servedBy", instanceId);
        return Reply.of(503, body, "none");
    }

    private Reply local(String key, int partition, Route route, ReadPosition position, Duration wait,
            List<String> failures) {
        boolean activeOnly = route.kind() == Route.Kind.LOCAL_PRIMARY;
        if (activeOnly && position != null && cutOff(route, failures)) {
            return null; // not worth waiting for the position first
        }
        LocalRead read = store.read(key, partition, activeOnly, position, wait);
        OwnHeartbeat.Seen seen = null;
        if (read.active() && (read.outcome() == LocalRead.Outcome.FOUND || read.outcome() == LocalRead.Outcome.ABSENT)) {
            seen = ownBeat.seen();
            if (!seen.recent() && position != null) {
                failures.add(route + ": " + cutOffReason(seen));
                return null;
            }
        }
        switch (read.outcome()) {
            case FOUND:
            case ABSENT:
                return answer(key, partition, read, route, seen);
            case BEHIND: {
                ObjectNode body = Reply.errorBody(409, read.detail());
                body.put("reason", "not_caught_up").put("position", position.token()).put("partition", partition)
                        .put("servedBy", instanceId).put("role", read.active() || activeOnly ? "primary" : "replica");
                return Reply.of(409, body, route.kind().label());
            }
            default:
                failures.add(route + ": " + read.detail());
                return null;
        }
    }

    /** Whether this instance cannot vouch for its active stores now; if so, says why in {@code failures}. */
    private boolean cutOff(Route route, List<String> failures) {
        OwnHeartbeat.Seen seen = ownBeat.seen();
        if (seen.recent()) {
            return false;
        }
        failures.add(route + ": " + cutOffReason(seen));
        return true;
    }

    private static String cutOffReason(OwnHeartbeat.Seen seen) {
        return (seen.agoMs() == null ? "this instance has not seen its own heartbeat come back yet"
                : "this instance last saw its own heartbeat come back " + seen.agoMs() + " ms ago")
                + ", so it may be cut off from Kafka and cannot vouch for a read-your-writes position";
    }

    /** @param seen the own heartbeat, for a read of an active store; null for a standby read */
    private Reply answer(String key, int partition, LocalRead read, Route route, OwnHeartbeat.Seen seen) {
        VersionedValue stored = read.value();
        boolean primary = read.active();
        boolean fresh = primary && seen != null && seen.recent();
        boolean present = stored != null && stored.getValue() != null;
        int status = present ? 200 : 404;
        ObjectNode body = present ? Reply.JSON.createObjectNode()
                : Reply.errorBody(404, stored == null ? "key '" + key + "' not found"
                        : "key '" + key + "' was deleted");
        body.put("key", key);
        if (present) {
            body.put("value", stored.getValue());
        }
        if (stored != null) {
            body.put("version", stored.getVersion());
        }
        body.put("partition", partition)
                .put("servedBy", instanceId)
                .put("role", primary ? "primary" : "replica")
                .put("stale", !fresh);
        if (fresh) {
            body.put("lag", 0L);
        } else if (!primary && read.lag() != null) {
            body.put("lag", read.lag());
        } else {
            body.putNull("lag");
        }
        if (primary && !fresh) {
            // How long this primary has been unable to prove it is connected to Kafka.
            if (seen.agoMs() == null) {
                body.putNull("sinceOwnBeatMs");
            } else {
                body.put("sinceOwnBeatMs", seen.agoMs());
            }
        }
        return Reply.of(status, body, route.kind().label());
    }

    private Reply forward(String key, Route route, ReadPosition position, Duration wait, Hop hop,
            List<String> failures) {
        Hop next = route.kind() == Route.Kind.FORWARD_PRIMARY ? Hop.FOR_PRIMARY : Hop.FOR_REPLICA;
        Forwarder.Answer answer = forwarder.forward(route.host(), key, next, position, wait);
        if (answer.served()) {
            return new Reply(answer.status(), answer.body(), route.kind().label());
        }
        failures.add(route + ": " + (answer.failure() != null ? answer.failure() : errorOf(answer.body())));
        return null;
    }

    private static String errorOf(String body) {
        try {
            return Reply.JSON.readTree(body).path("error").asText("503");
        } catch (Exception e) {
            return "503";
        }
    }
}
