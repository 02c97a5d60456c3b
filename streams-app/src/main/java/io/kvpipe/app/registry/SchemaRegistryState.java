package io.kvpipe.app.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state: subjects and their versions, global schema ids, compatibility levels.
 *
 * <p>Every change is first appended to the {@link SchemaLog} and applied only once the log has
 * stored it, so the state never holds what a restart would not replay; replaying the log rebuilds
 * the same ids, versions and levels. All methods are synchronized: writes are rare, and holding
 * the lock across the append keeps id and version allocation in log order.
 *
 * <p>Schemas are identified by Avro's canonical JSON rendering ({@code Schema.toString()}):
 * whitespace differences give the same id, documentation differences a new one.
 */
final class SchemaRegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryState.class);

    private final SchemaLog log;
    private final Map<String, NavigableMap<Integer, SchemaVersion>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> parsedById = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    /** The global level set through the API, null while the default applies. */
    private CompatibilityLevel configuredGlobalLevel;
    /** Highest id ever seen, so new ids never reuse one (foreign and deleted ones included). */
    private int maxId;

    private SchemaRegistryState(SchemaLog log) {
        this.log = log;
    }

    /**
     * The state {@code log} holds, rebuilt by replaying it; later changes are appended to it.
     *
     * @throws IllegalStateException if the log cannot be read, or holds a record that is not in
     *     Confluent's {@code _schemas} format (starting anyway could hand out a taken id)
     */
    static SchemaRegistryState replay(SchemaLog log) {
        SchemaRegistryState state = new SchemaRegistryState(log);
        log.replay((key, value) -> {
            LogRecord record;
            try {
                record = SchemasTopicFormat.decode(key, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("the schema log holds a record this registry cannot read"
                        + " (key " + key + "): " + e.getMessage(), e);
            }
            synchronized (state) {
                state.apply(record);
            }
        });
        return state;
    }

    // ---- reads ----

    /** Subjects with a live version (or any version, with {@code includeDeleted}), sorted. */
    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (versions.values().stream().anyMatch(visible(includeDeleted))) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * The subject's version numbers, ascending.
     *
     * @throws RegistryError 40401 if it has none (live ones, unless {@code includeDeleted})
     */
    synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        return versionsOf(subject, includeDeleted).stream().map(SchemaVersion::version).toList();
    }

    /**
     * One version of a subject; "latest" is the highest visible one.
     *
     * @throws RegistryError 40401 if the subject has no visible version, 40402 if that one is not
     */
    synchronized SchemaVersion version(String subject, VersionId id, boolean includeDeleted) {
        List<SchemaVersion> versions = versionsOf(subject, includeDeleted);
        if (id.isLatest()) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == id.number()).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(id.number()));
    }

    /**
     * The schema text with this global id (soft-deleted versions keep their id readable).
     *
     * @throws RegistryError 40403 if no schema has it
     */
    synchronized String schemaById(int id) {
        String schema = schemasById.get(id);
        if (schema == null) {
            throw RegistryError.schemaNotFound(id);
        }
        return schema;
    }

    /**
     * The subject versions holding the schema with this id, by subject then version.
     *
     * @throws RegistryError 40403 if no schema has the id
     */
    synchronized List<SchemaVersion> versionsWithId(int id, boolean includeDeleted) {
        schemaById(id);
        List<SchemaVersion> found = new ArrayList<>();
        subjects.values().forEach(versions -> versions.values().stream()
                .filter(v -> v.id() == id)
                .filter(visible(includeDeleted))
                .forEach(found::add));
        return found;
    }

    /**
     * The subject's latest version holding {@code schema}.
     *
     * @throws RegistryError 40401 if the subject has no visible version, 40403 if none holds it
     */
    synchronized SchemaVersion lookup(String subject, Schema schema, boolean includeDeleted) {
        String canonical = schema.toString();
        List<SchemaVersion> versions = versionsOf(subject, includeDeleted);
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).schema().equals(canonical)) {
                return versions.get(i);
            }
        }
        throw RegistryError.schemaNotFound();
    }

    /** The global level: the one set through the API, else BACKWARD. */
    synchronized CompatibilityLevel globalLevel() {
        return configuredGlobalLevel != null ? configuredGlobalLevel : CompatibilityLevel.DEFAULT;
    }

    /** The level set for this subject itself, if one is. */
    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** The level that applies to the subject: its own, else the global one. */
    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevel(subject).orElseGet(this::globalLevel);
    }

    /**
     * Why {@code candidate} breaks the subject's level, checked against one version or, when
     * {@code against} is empty, as registering would check it (the latest live version, or all of
     * them for a transitive level). Empty when compatible, and when there is nothing to check
     * against ("latest" of a subject with no live versions).
     *
     * @throws RegistryError 40401 or 40402 if a numbered version to check against is missing
     */
    synchronized List<String> compatibilityProblems(String subject, Schema candidate,
            Optional<VersionId> against) {
        CompatibilityLevel level = effectiveLevel(subject);
        List<SchemaVersion> earlier;
        if (against.isEmpty()) {
            earlier = liveNewestFirst(subject);
        } else if (against.get().isLatest()) {
            earlier = liveNewestFirst(subject).stream().limit(1).toList();
        } else {
            earlier = List.of(version(subject, against.get(), false));
        }
        return CompatibilityChecker.problems(level, candidate, earlier.stream()
                .map(v -> new CompatibilityChecker.Earlier(v.version(), parsed(v)))
                .toList());
    }

    // ---- writes ----

    /**
     * Registers {@code schema} under {@code subject} and returns its global id. Idempotent: a
     * schema already live under the subject returns its id unchanged; one registered elsewhere
     * keeps its id here too.
     *
     * @throws RegistryError 409 if the schema breaks the subject's compatibility level
     * @throws IllegalStateException if the log cannot store the new version
     */
    synchronized int register(String subject, Schema schema) {
        String canonical = schema.toString();
        List<SchemaVersion> live = liveNewestFirst(subject);
        for (SchemaVersion version : live) {
            if (version.schema().equals(canonical)) {
                return version.id();
            }
        }
        List<String> problems = compatibilityProblems(subject, schema, Optional.empty());
        if (!problems.isEmpty()) {
            throw RegistryError.incompatible(subject, problems);
        }
        int id = idsBySchema.getOrDefault(canonical, maxId + 1);
        NavigableMap<Integer, SchemaVersion> all = subjects.get(subject);
        // Numbering continues after soft-deleted versions, as Confluent's does.
        int version = all == null || all.isEmpty() ? 1 : all.lastKey() + 1;
        write(new LogRecord.VersionPut(new SchemaVersion(subject, version, id, canonical, false)));
        return id;
    }

    /**
     * Deletes one version: soft by default (its id stays readable), permanently with {@code
     * permanent} (only after a soft delete). "latest" is the highest version, deleted or not.
     *
     * @return the deleted version's number
     * @throws RegistryError 40401, 40402 if missing; 40406 if soft-deleting a soft-deleted
     *     version; 40407 if permanently deleting a live one
     * @throws IllegalStateException if the log cannot store the deletion
     */
    synchronized int deleteVersion(String subject, VersionId id, boolean permanent) {
        SchemaVersion version = version(subject, id, true);
        if (permanent) {
            if (!version.deleted()) {
                throw RegistryError.versionNotSoftDeleted(subject, version.version());
            }
            write(new LogRecord.VersionRemoved(subject, version.version()));
        } else {
            if (version.deleted()) {
                throw RegistryError.versionSoftDeleted(subject, version.version());
            }
            write(new LogRecord.VersionPut(version.softDeleted()));
        }
        return version.version();
    }

    /**
     * Deletes a subject's versions and its own compatibility level: soft by default, permanently
     * with {@code permanent} (only after a soft delete).
     *
     * @return the deleted version numbers, ascending
     * @throws RegistryError 40401 if the subject has no versions at all; 40404 if soft-deleting
     *     an already soft-deleted subject; 40405 if permanently deleting one with live versions
     * @throws IllegalStateException if the log cannot store a deletion (earlier ones stay done)
     */
    synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        List<SchemaVersion> all = versionsOf(subject, true);
        boolean anyLive = all.stream().anyMatch(v -> !v.deleted());
        if (permanent && anyLive) {
            throw RegistryError.subjectNotSoftDeleted(subject);
        }
        if (!permanent && !anyLive) {
            throw RegistryError.subjectSoftDeleted(subject);
        }
        List<Integer> deleted = new ArrayList<>();
        for (SchemaVersion version : all) {
            if (permanent) {
                write(new LogRecord.VersionRemoved(subject, version.version()));
                deleted.add(version.version());
            } else if (!version.deleted()) {
                write(new LogRecord.VersionPut(version.softDeleted()));
                deleted.add(version.version());
            }
        }
        if (subjectLevels.containsKey(subject)) {
            write(new LogRecord.LevelRemoved(subject));
        }
        return deleted;
    }

    /**
     * Sets the subject's own level, or the global one when {@code subject} is null.
     *
     * @throws IllegalStateException if the log cannot store it
     */
    synchronized void setLevel(String subject, CompatibilityLevel level) {
        write(new LogRecord.LevelPut(subject, level));
    }

    /**
     * Removes the subject's own level (it then follows the global one), or the global level
     * (back to BACKWARD) when {@code subject} is null.
     *
     * @return the level in force before
     * @throws RegistryError 40401 if the subject has no level of its own
     * @throws IllegalStateException if the log cannot store the removal
     */
    synchronized CompatibilityLevel removeLevel(String subject) {
        CompatibilityLevel before;
        if (subject == null) {
            before = globalLevel();
            if (configuredGlobalLevel == null) {
                return before;
            }
        } else {
            before = subjectLevel(subject).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        }
        write(new LogRecord.LevelRemoved(subject));
        return before;
    }

    // ---- internals ----

    private void write(LogRecord record) {
        SchemasTopicFormat.Entry entry = SchemasTopicFormat.encode(record);
        try {
            log.append(entry.key(), entry.value());
        } catch (RuntimeException e) {
            // The record may have been stored even so: never hand its id to another schema.
            if (record instanceof LogRecord.VersionPut put) {
                maxId = Math.max(maxId, put.version().id());
            }
            throw e;
        }
        apply(record);
    }

    private void apply(LogRecord record) {
        if (record instanceof LogRecord.VersionPut put) {
            SchemaVersion v = put.version();
            subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
            schemasById.putIfAbsent(v.id(), v.schema());
            idsBySchema.putIfAbsent(v.schema(), v.id());
            maxId = Math.max(maxId, v.id());
        } else if (record instanceof LogRecord.VersionRemoved removed) {
            NavigableMap<Integer, SchemaVersion> versions = subjects.get(removed.subject());
            SchemaVersion gone = versions == null ? null : versions.remove(removed.version());
            if (gone != null) {
                if (versions.isEmpty()) {
                    subjects.remove(removed.subject());
                }
                forgetIfUnused(gone.id());
            }
        } else if (record instanceof LogRecord.LevelPut put) {
            if (put.subject() == null) {
                configuredGlobalLevel = put.level();
            } else {
                subjectLevels.put(put.subject(), put.level());
            }
        } else if (record instanceof LogRecord.LevelRemoved removed) {
            if (removed.subject() == null) {
                configuredGlobalLevel = null;
            } else {
                subjectLevels.remove(removed.subject());
            }
        } else if (record instanceof LogRecord.SubjectDeleted deleted) {
            NavigableMap<Integer, SchemaVersion> versions = subjects.get(deleted.subject());
            if (versions != null) {
                versions.headMap(deleted.version(), true).replaceAll((n, v) -> v.softDeleted());
            }
        } else if (record instanceof LogRecord.ForeignSchema foreign) {
            maxId = Math.max(maxId, foreign.id());
            LOG.warn("Skipping {} schema {} (subject {}, version {}) in the schema log: this registry"
                    + " serves Avro only", foreign.schemaType(), foreign.id(), foreign.subject(),
                    foreign.version());
        } else if (record instanceof LogRecord.Ignored ignored) {
            LOG.debug("Skipping a {} record in the schema log", ignored.keyType());
        }
    }

    /** A permanently deleted schema stays readable by id while any version still holds it. */
    private void forgetIfUnused(int id) {
        boolean used = subjects.values().stream()
                .anyMatch(versions -> versions.values().stream().anyMatch(v -> v.id() == id));
        if (!used) {
            String schema = schemasById.remove(id);
            idsBySchema.remove(schema, id);
            parsedById.remove(id);
        }
    }

    private List<SchemaVersion> versionsOf(String subject, boolean includeDeleted) {
        NavigableMap<Integer, SchemaVersion> versions = subjects.get(subject);
        List<SchemaVersion> visible = versions == null ? List.of()
                : versions.values().stream().filter(visible(includeDeleted)).toList();
        if (visible.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return visible;
    }

    private List<SchemaVersion> liveNewestFirst(String subject) {
        NavigableMap<Integer, SchemaVersion> versions = subjects.get(subject);
        return versions == null ? List.of()
                : versions.descendingMap().values().stream().filter(v -> !v.deleted()).toList();
    }

    private Schema parsed(SchemaVersion version) {
        return parsedById.computeIfAbsent(version.id(), id -> new Schema.Parser().parse(version.schema()));
    }

    private static Predicate<SchemaVersion> visible(boolean includeDeleted) {
        return v -> includeDeleted || !v.deleted();
    }
}
