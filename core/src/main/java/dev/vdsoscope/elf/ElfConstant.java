package dev.vdsoscope.elf;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * A value of one of ELF's open enumerations ({@code EM_*}, {@code DT_*}, ...). Open, because files
 * carry values this program has never heard of and must still show them; named, by the C name in
 * {@code <elf.h>} when the value is known.
 */
public interface ElfConstant {
    long value();

    /** The C name, e.g. {@code DT_GNU_HASH}, or a hex rendering when the value is unknown. */
    String cName();

    /**
     * Whether this is {@code other}: the same kind of constant with the same value. (Not equals: a
     * record's equals is bootstrapped through method handles on first use, which start-up feels.)
     */
    default boolean is(ElfConstant other) {
        return value() == other.value() && getClass() == other.getClass();
    }

    /** Marks a nested holder of processor-specific constants with the machines they apply to. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface ForMachines {
        long[] value();
    }

    /**
     * The C names of one constant type, collected from the {@code public static final} fields that
     * declare them, so each name is written exactly once. Processor-specific values, which reuse the
     * same numbers on every architecture, live in nested classes marked {@link ForMachines}.
     */
    final class Names {
        private final Class<?> holder;
        private final Class<? extends ElfConstant> type;
        private Map<Long, String> common;
        private Map<Long, Map<Long, String>> byMachine;

        /**
         * The fields are read on first use, not here: this runs in the static initializer of every
         * constant type, and reflection (annotation proxies included) would tax every program that
         * merely compares constants.
         */
        public Names(Class<?> holder, Class<? extends ElfConstant> type) {
            this.holder = holder;
            this.type = type;
        }

        private synchronized void load() {
            if (common != null) {
                return;
            }
            Map<Long, Map<Long, String>> machines = new HashMap<>();
            for (Class<?> nested : holder.getDeclaredClasses()) {
                ForMachines forMachines = nested.getAnnotation(ForMachines.class);
                if (forMachines != null) {
                    Map<Long, String> names = fieldsOf(nested, type);
                    for (long machine : forMachines.value()) {
                        machines.put(machine, names);
                    }
                }
            }
            byMachine = machines;
            common = fieldsOf(holder, type);
        }

        /** The generic name, or null. */
        public synchronized String name(long value) {
            load();
            return common.get(value);
        }

        /** The name with processor-specific values resolved for {@code machine} first, or null. */
        public synchronized String name(long value, Machine machine) {
            load();
            Map<Long, String> specific = byMachine.get(machine.value());
            String name = specific == null ? null : specific.get(value);
            return name != null ? name : common.get(value);
        }

        private static Map<Long, String> fieldsOf(Class<?> holder, Class<? extends ElfConstant> type) {
            Map<Long, String> names = new HashMap<>();
            for (Field field : holder.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) && Modifier.isPublic(modifiers) && field.getType() == type) {
                    try {
                        names.putIfAbsent(((ElfConstant) field.get(null)).value(), field.getName());
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            return names;
        }
    }
}
