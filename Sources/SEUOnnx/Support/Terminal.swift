import CSupport

/// Process-level helpers for command-line front ends: Ctrl-C requests and terminal checks.
public enum Terminal {
    /// Installs the SIGINT/SIGTERM handler: the first signal only sets `interruptRequested`
    /// (a campaign then stops after the current injection, restores the weight and reports);
    /// a second one exits immediately.
    public static func installInterruptHandler() { seu_install_interrupt_handler() }

    public static var interruptRequested: Bool { seu_interrupt_requested() != 0 }
    /// The exit status a stopped run ends with, as shells expect: 128 + the signal (130 for
    /// Ctrl-C, 143 for SIGTERM); 0 when no signal came.
    public static var interruptStatus: Int32 {
        let signal = seu_interrupt_signal()
        return signal == 0 ? 0 : 128 + signal
    }

    /// True when standard error is a terminal (progress is shown only then).
    public static var standardErrorIsTerminal: Bool { seu_isatty(2) != 0 }
}
