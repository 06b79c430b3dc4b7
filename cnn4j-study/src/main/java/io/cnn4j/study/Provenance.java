package io.cnn4j.study;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;

/** Versions and machine facts recorded with every result, enough to rerun it. */
public final class Provenance {
    public static final String CNN4J_VERSION = "0.1.0-SNAPSHOT";

    private Provenance() {
    }

    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("cnn4j", CNN4J_VERSION);
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return v;
    }

    /** Peak heap use of this JVM since start, in MiB (sum of the heap pools' peaks). */
    public static double peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum / (1024.0 * 1024.0);
    }
}
