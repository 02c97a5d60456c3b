package io.kvpipe.app.registry;

import java.util.List;

/**
 * A request the registry refuses, with the HTTP status and Confluent error code (and Confluent's
 * message wording) it answers with.
 */
final class RegistryError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final int errorCode;

    RegistryError(int status, int errorCode, String message) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, 40401, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(int version) {
        return new RegistryError(404, 40402, "Version " + version + " not found.");
    }

    static RegistryError schemaNotFound() {
        return new RegistryError(404, 40403, "Schema not found");
    }

    static RegistryError schemaNotFound(int id) {
        return new RegistryError(404, 40403, "Schema " + id + " not found");
    }

    static RegistryError subjectSoftDeleted(String subject) {
        return new RegistryError(404, 40404, "Subject '" + subject
                + "' was soft deleted.Set permanent=true to delete permanently");
    }

    static RegistryError subjectNotSoftDeleted(String subject) {
        return new RegistryError(404, 40405, "Subject '" + subject
                + "' was not deleted first before being permanently deleted");
    }

    static RegistryError versionSoftDeleted(String subject, int version) {
        return new RegistryError(404, 40406, "Subject '" + subject + "' Version " + version
                + " was soft deleted.Set permanent=true to delete permanently");
    }

    static RegistryError versionNotSoftDeleted(String subject, int version) {
        return new RegistryError(404, 40407, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted");
    }

    static RegistryError subjectLevelNotConfigured(String subject) {
        return new RegistryError(404, 40408, "Subject '" + subject
                + "' does not have subject-level compatibility configured");
    }

    /**
     * HTTP 409 with error_code 409, as Confluent registries answered until 7.x; recent ones put
     * 40901 in the body (same status).
     */
    static RegistryError incompatible(String subject, List<String> problems) {
        return new RegistryError(409, 409, "Schema being registered is incompatible with an earlier"
                + " schema for subject \"" + subject + "\", details: " + problems);
    }

    static RegistryError invalidSchema(String detail) {
        return new RegistryError(422, 42201, detail);
    }

    static RegistryError invalidVersion(String version) {
        return new RegistryError(422, 42202, "The specified version '" + version + "' is not a valid"
                + " version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static RegistryError invalidCompatibilityLevel() {
        return new RegistryError(422, 42203, "Invalid compatibility level. Valid values are none,"
                + " backward, forward, full, backward_transitive, forward_transitive, and"
                + " full_transitive");
    }
}
