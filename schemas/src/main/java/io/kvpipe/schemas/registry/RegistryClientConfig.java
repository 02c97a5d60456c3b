package io.kvpipe.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client's settings, read from the same keys Confluent's serdes use, so one properties file
 * configures either client.
 *
 * <p>Keys: {@code schema.registry.url} (comma-separated, required); {@code
 * basic.auth.credentials.source} ({@code URL}, the default, takes {@code user:password@} from the
 * URL; {@code USER_INFO} takes {@code basic.auth.user.info}, alias {@code
 * schema.registry.basic.auth.user.info}); {@code max.retries} (default 2, so 3 attempts); {@code
 * retries.wait.ms} (default 200, doubling per retry); {@code retries.max.wait.ms} (default 2000);
 * {@code http.connect.timeout.ms} (default 10000); {@code http.read.timeout.ms} (default 30000,
 * the whole request).
 */
record RegistryClientConfig(
        List<URI> urls,
        Optional<String> authorization,
        int maxAttempts,
        Duration retryWait,
        Duration retryMaxWait,
        Duration connectTimeout,
        Duration requestTimeout) {

    static final String URL = "schema.registry.url";
    static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    static final String USER_INFO = "basic.auth.user.info";
    static final String USER_INFO_ALIAS = "schema.registry.basic.auth.user.info";
    static final String MAX_RETRIES = "max.retries";
    static final String RETRIES_WAIT_MS = "retries.wait.ms";
    static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    static final String READ_TIMEOUT_MS = "http.read.timeout.ms";

    RegistryClientConfig {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(URL + " names no schema registry");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt is needed, got " + maxAttempts);
        }
    }

    /**
     * Reads the settings from a Confluent-style config map (values may be strings or numbers).
     *
     * @throws IllegalArgumentException if {@code schema.registry.url} is missing or malformed, a
     *     number is not a number, or the credentials source is unsupported or lacks its user info
     */
    static RegistryClientConfig from(Map<String, ?> config) {
        String urlList = string(config, URL)
                .orElseThrow(() -> new IllegalArgumentException(URL + " is required"));
        List<URI> urls = new ArrayList<>();
        Optional<String> urlUserInfo = Optional.empty();
        for (String raw : urlList.split(",")) {
            if (raw.isBlank()) {
                continue;
            }
            URI uri = parseUrl(raw.strip());
            if (uri.getRawUserInfo() != null && urlUserInfo.isEmpty()) {
                urlUserInfo = Optional.of(uri.getUserInfo());
            }
            urls.add(withoutUserInfo(uri));
        }
        String source = string(config, CREDENTIALS_SOURCE).orElse("URL").strip();
        Optional<String> userInfo = switch (source.toUpperCase(java.util.Locale.ROOT)) {
            case "URL" -> urlUserInfo;
            case "USER_INFO" -> Optional.of(string(config, USER_INFO)
                    .or(() -> string(config, USER_INFO_ALIAS))
                    .orElseThrow(() -> new IllegalArgumentException(USER_INFO
                            + " is required when " + CREDENTIALS_SOURCE + "=USER_INFO")));
            default -> throw new IllegalArgumentException(CREDENTIALS_SOURCE + "=" + source
                    + " is not supported; use URL or USER_INFO");
        };
        Duration retryWait = Duration.ofMillis(number(config, RETRIES_WAIT_MS, 200));
        Duration retryMaxWait = Duration.ofMillis(number(config, RETRIES_MAX_WAIT_MS, 2000));
        return new RegistryClientConfig(
                urls,
                userInfo.map(RegistryClientConfig::basicAuthorization),
                (int) number(config, MAX_RETRIES, 2) + 1,
                retryWait,
                retryMaxWait,
                Duration.ofMillis(number(config, CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(number(config, READ_TIMEOUT_MS, 30_000)));
    }

    /** The pause before retry number {@code retry} (1-based): doubling, capped. */
    Duration backoff(int retry) {
        long millis = retryWait.toMillis() << Math.min(retry - 1, 20);
        return Duration.ofMillis(Math.min(millis, retryMaxWait.toMillis()));
    }

    private static URI parseUrl(String raw) {
        try {
            URI uri = new URI(raw);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException(URL + " must hold http(s)://host[:port] URLs, got '"
                        + raw + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL + " holds a malformed URL '" + raw + "': "
                    + e.getMessage(), e);
        }
    }

    /** Credentials travel in a header, never in the URL we log or put in error messages. */
    private static URI withoutUserInfo(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return URI.create(uri.getScheme() + "://" + hostAndPort(uri) + path);
    }

    private static String hostAndPort(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    private static String basicAuthorization(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> string(Map<String, ?> config, String key) {
        Object value = config.get(key);
        return value == null || value.toString().isBlank()
                ? Optional.empty()
                : Optional.of(value.toString());
    }

    private static long number(Map<String, ?> config, String key, long defaultValue) {
        Optional<String> value = string(config, key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.get().strip());
            if (parsed < 0) {
                throw new IllegalArgumentException(key + " must not be negative, got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + value.get() + "'", e);
        }
    }
}
