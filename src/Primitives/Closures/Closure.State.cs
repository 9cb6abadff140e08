namespace Primitives.Closures;

public partial class Closure
{
    /// <summary>
    /// The layout of <see cref="_state"/>: the remaining count in the low bits and four flags above
    /// it, each followed by an always-zero guard bit. Adding a flag that is already set carries into
    /// its guard bit; removing one that is clear borrows through the guard bits up to the sign bit;
    /// a count that overflows carries into <see cref="RemainingGuard"/>. So every double-set, missing
    /// flag, overflow or put below zero leaves a guard bit set, and the operation that did it undoes
    /// its change and throws <see cref="ClosureStateException"/> instead of leaving a wrapped count.
    /// </summary>
    /// <remarks>
    /// Every flag except <see cref="Destructor"/> and <see cref="Sleeping"/> carries one reference
    /// with it (the owner's running step, a wait-list entry), so the two are always added and
    /// removed together in one atomic operation (e.g. <c>Running + 1</c>).
    /// </remarks>
    internal readonly struct State
    {
        /// <summary>Outstanding references (including the ones that come with flags).</summary>
        public const int RemainingMask = (1 << 20) - 1;           // bits 0-19
        /// <summary>Catches a count overflow (more than <see cref="RemainingMask"/> references).</summary>
        public const int RemainingGuard = 1 << 20;                // bit 20
        /// <summary>The continuation is a destructor: at zero, finish instead of re-arming.</summary>
        public const int Destructor = 1 << 21;                    // bit 21
        /// <summary>Catches a second <see cref="Destructor"/>.</summary>
        public const int DestructorGuard = 1 << 22;               // bit 22
        /// <summary>The closure is on a <see cref="ClosureWaitList"/> (comes with one reference).</summary>
        public const int Waiting = 1 << 23;                       // bit 23
        /// <summary>Catches a second <see cref="Waiting"/>.</summary>
        public const int WaitingGuard = 1 << 24;                  // bit 24
        /// <summary>A synchronous or asynchronous <c>Sync</c> waits for zero (no reference).</summary>
        public const int Sleeping = 1 << 25;                      // bit 25
        /// <summary>Catches a second <see cref="Sleeping"/>.</summary>
        public const int SleepingGuard = 1 << 26;                 // bit 26
        /// <summary>The owner's step is running (comes with one reference).</summary>
        public const int Running = 1 << 27;                       // bit 27
        /// <summary>Catches a second <see cref="Running"/>.</summary>
        public const int RunningGuard = 1 << 28;                  // bit 28
        /// <summary>Never set: a borrow through every flag (a wrap below zero) lands here.</summary>
        public const int WrapMask = unchecked((int)0xE000_0000);  // bits 29-31

        /// <summary>Every bit that must stay zero.</summary>
        public const int GuardMask = RemainingGuard | DestructorGuard | WaitingGuard | SleepingGuard | RunningGuard | WrapMask;
        /// <summary>Every flag.</summary>
        public const int FlagMask = Destructor | Waiting | Sleeping | Running;

        /// <summary>A new or re-armed closure: the owner's running step and its reference.</summary>
        public const int Initial = Running + 1;

        private readonly int _value;

        public State(int value) => _value = value;

        public int Value => _value;
        public int Remaining => _value & RemainingMask;
        public bool IsCorrupt => (_value & GuardMask) != 0;
        public bool IsRunning => (_value & Running) != 0;
        public bool IsWaiting => (_value & Waiting) != 0;
        public bool IsSleeping => (_value & Sleeping) != 0;
        public bool HasDestructor => (_value & Destructor) != 0;

        /// <summary>The state as text: <c>remaining=2 RUNNING|WAITING</c>, with any guard bits.</summary>
        public override string ToString()
        {
            var flags = new List<string>(5);
            if (IsRunning) flags.Add("RUNNING");
            if (IsWaiting) flags.Add("WAITING");
            if (IsSleeping) flags.Add("SLEEPING");
            if (HasDestructor) flags.Add("DESTRUCTOR");
            if (IsCorrupt) flags.Add($"GUARD(0x{(uint)(_value & GuardMask):X8})");
            return $"remaining={Remaining}{(flags.Count == 0 ? "" : " " + string.Join('|', flags))} (0x{(uint)_value:X8})";
        }
    }
}
