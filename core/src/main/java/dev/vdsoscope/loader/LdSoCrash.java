package dev.vdsoscope.loader;

/**
 * ld.so itself dying on a file it maps, where it reads memory the file does not back: it prints
 * nothing, and ldd sees only the signal. The explanation is vdsoscope's.
 *
 * @param object      the file, as ld.so was given or found it
 * @param signal      what kills it
 * @param explanation where it reads, and why that faults
 * @param mappingProgram whether it dies mapping the program itself (under {@code ld.so --verify},
 *                    before ldd traces anything) rather than one of its libraries
 */
public record LdSoCrash(String object, Signal signal, String explanation, boolean mappingProgram) {

    /** The two ways reading unbacked memory ends. */
    public enum Signal {
        /** A page of the mapping lies wholly past the end of the file. */
        SIGBUS(7),
        /** An address outside every mapping. */
        SIGSEGV(11);

        private final int number;

        Signal(int number) {
            this.number = number;
        }

        public int number() {
            return number;
        }
    }

    /** The status a shell reports for a process the signal killed: 128 plus its number. */
    public int shellStatus() {
        return 128 + signal.number;
    }

    /** One line for messages: {@code ld.so would die with SIGBUS: ...}. */
    public String describe() {
        return "ld.so would die with " + signal + (mappingProgram ? "" : " loading " + object) + ": " + explanation;
    }
}
