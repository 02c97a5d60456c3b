package io.kvpipe.app.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvpipe.app.membership.MemberStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Serves {@code GET /txn/{id}} without the web server. The coordinator of a transaction is the
 * partition of its first op's key, which the id does not tell, so every partition is searched:
 * this instance's active stores first ({@link LocalTxns}), then, for a client's request, every
 * other instance in turn, each asked to search only its own ({@link TxnForwarder}); the first that
 * knows the id answers.
 * <ul>
 *   <li>200 {@link TxnStatus}: some partition knows it;
 *   <li>404 {@code {"error","transactionId","searchedPartitions","complete","servedBy"}}: no
 *       partition knows it (on a forwarded request: none of this instance's, and {@code complete}
 *       says whether all of them could be searched);
 *   <li>503 the same with {@code "notSearched"}: not found where it was looked for, but some
 *       instance or store could not be searched (down, DEAD, rebalancing), so it may exist there.
 * </ul>
 */
public final class TxnReader {

    private final String instanceId;
    private final HostInfo self;
    private final LocalTxns local;
    private final Supplier<Collection<HostInfo>> instances;
    private final Function<HostInfo, MemberStatus> statusOf;
    private final TxnForwarder forwarder;

    /**
     * @param instances every instance's {@code application.server} (this one's may be among them)
     * @param statusOf the membership status of the instance at an endpoint: DEAD ones are not asked
     */
    public TxnReader(String instanceId, HostInfo self, LocalTxns local, Supplier<Collection<HostInfo>> instances,
            Function<HostInfo, MemberStatus> statusOf, TxnForwarder forwarder) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.self = Objects.requireNonNull(self, "self");
        this.local = Objects.requireNonNull(local, "local");
        this.instances = Objects.requireNonNull(instances, "instances");
        this.statusOf = Objects.requireNonNull(statusOf, "statusOf");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    }

    /**
     * @param localOnly whether only this instance's stores are searched (a lookup another instance
     *     forwarded), else every instance's
     */
    public Reply get(String transactionId, boolean localOnly) {
        LocalTxns.Search here = local.search(transactionId);
        if (here.found().isPresent()) {
            return Reply.of(200, TxnStatus.of(transactionId, here.found().get(), instanceId), "local");
        }
        Set<Integer> searched = new TreeSet<>(here.searched());
        List<String> notSearched = new ArrayList<>();
        here.problems().forEach(p -> notSearched.add(instanceId + ": " + p));
        if (!localOnly) {
            List<HostInfo> others;
            try {
                others = others();
            } catch (RuntimeException e) {
                // Without the metadata the other instances are unknown, so are their partitions.
                notSearched.add("the other instances cannot be known now: " + e.getMessage());
                others = List.of();
            }
            for (HostInfo other : others) {
                MemberStatus status = statusOf.apply(other);
                if (status == MemberStatus.DEAD) {
                    notSearched.add(Endpoints.of(other) + " is DEAD");
                    continue;
                }
                Forwarder.Answer answer = forwarder.askTxn(other, transactionId);
                if (answer.failure() != null) {
                    notSearched.add(answer.failure());
                } else if (answer.status() == 200) {
                    return new Reply(200, answer.body(), "forward");
                } else if (answer.status() == 404) {
                    notFoundThere(other, answer.body(), searched, notSearched);
                } else {
                    notSearched.add(Endpoints.of(other) + " answered " + answer.status() + ": "
                            + errorOf(answer.body()));
                }
            }
        }
        boolean complete = notSearched.isEmpty();
        int status = complete || localOnly ? 404 : 503;
        ObjectNode body = Reply.errorBody(status, complete || localOnly
                ? "transaction '" + transactionId + "' is not known to any partition"
                        + (localOnly ? " of instance " + instanceId : "")
                : "transaction '" + transactionId + "' was not found, but not every partition could be searched: "
                        + String.join("; ", notSearched));
        body.put("transactionId", transactionId);
        ArrayNode partitions = body.putArray("searchedPartitions");
        searched.forEach(partitions::add);
        body.put("complete", complete);
        if (!complete) {
            ArrayNode list = body.putArray("notSearched");
            notSearched.forEach(list::add);
        }
        body.put("servedBy", instanceId);
        return Reply.of(status, body, "none");
    }

    /** The other instances, in endpoint order. */
    private List<HostInfo> others() {
        return instances.get().stream()
                .filter(h -> !h.equals(self))
                .distinct()
                .sorted(Comparator.comparing(Endpoints::of))
                .toList();
    }

    /** Takes in a peer's 404: the partitions it searched, and what it could not search. */
    private static void notFoundThere(HostInfo peer, String body, Set<Integer> searched, List<String> notSearched) {
        JsonNode node;
        try {
            node = Reply.JSON.readTree(body);
        } catch (Exception e) {
            notSearched.add(Endpoints.of(peer) + " answered 404 without JSON");
            return;
        }
        node.path("searchedPartitions").forEach(p -> searched.add(p.asInt()));
        if (!node.path("complete").asBoolean(false)) {
            if (node.path("notSearched").isEmpty()) {
                notSearched.add(Endpoints.of(peer) + " could not search all its partitions");
            }
            node.path("notSearched").forEach(n -> notSearched.add(n.asText()));
        }
    }

    private static String errorOf(String body) {
        try {
            return Reply.JSON.readTree(body).path("error").asText("no error given");
        } catch (Exception e) {
            return "no JSON answer";
        }
    }
}
