package io.kvpipe.app.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An HTTP answer: status and JSON body, and which route served it (for metrics).
 *
 * @param route the {@link Route.Kind#label()} that served, or {@code none}
 */
public record Reply(int status, String body, String route) {

    static final ObjectMapper JSON = new ObjectMapper();

    static Reply of(int status, ObjectNode body, String route) {
        try {
            return new Reply(status, JSON.writeValueAsString(body), route);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** {@code {"error": message, "status": status}} plus any fields added to the returned node by the caller. */
    static ObjectNode errorBody(int status, String message) {
        return JSON.createObjectNode().put("error", message).put("status", status);
    }

    static Reply error(int status, String message) {
        return of(status, errorBody(status, message), "none");
    }
}
