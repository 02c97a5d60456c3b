package io.kvpipe.app.membership;

/**
 * The phi-accrual failure detector (Hayashibara et al., 2004, as Akka and Cassandra use it): from
 * the mean and standard deviation of recent inter-beat times, phi = -log10(P(a beat comes later
 * than now)). phi 1 means a 10 % chance the instance is fine, phi 8 one in 10^8. The standard
 * deviation is floored (at half an interval), so very regular beats do not make a tiny delay look
 * alarming. Not thread-safe: the view guards it.
 */
final class PhiAccrual {

    private static final int WINDOW = 100;
    static final double MAX_PHI = 300;

    private final long[] intervals = new long[WINDOW];
    private final double minStdDeviation;
    private final double firstEstimate;
    private int count;
    private int next;

    PhiAccrual(long expectedIntervalMs) {
        this.firstEstimate = expectedIntervalMs;
        this.minStdDeviation = expectedIntervalMs / 2.0;
    }

    void addInterval(long ms) {
        intervals[next] = Math.max(0, ms);
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
    }

    double phi(long sinceLastBeatMs) {
        double mean;
        double variance;
        if (count == 0) {
            mean = firstEstimate;
            variance = 0;
        } else {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                sum += intervals[i];
            }
            mean = sum / count;
            double squares = 0;
            for (int i = 0; i < count; i++) {
                squares += (intervals[i] - mean) * (intervals[i] - mean);
            }
            variance = squares / count;
        }
        double std = Math.max(Math.sqrt(variance), minStdDeviation);
        // Logistic approximation of the normal CDF (Akka's), accurate to about 1e-4.
        double y = (sinceLastBeatMs - mean) / std;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        double phi = sinceLastBeatMs > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
        // Capped: past ~300 the probability underflows a double, and JSON has no Infinity.
        return Math.min(MAX_PHI, Math.max(0, phi));
    }
}
