package dev.vdsoscope.disasm;

/** The x86 assembler syntax Capstone prints; other architectures have only one. */
public enum Syntax {
    att, intel
}
