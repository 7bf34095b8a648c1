namespace FastScore.Streams.Internal;

/// <summary>
/// Decides whether a fast path (one that declines records it cannot take, leaving them to a general one) is still worth
/// trying: +16 per record it declines, -1 per record it takes; at 4,096 it is no longer tried. A path that declines more
/// than one record in 17 for long stops. Updates race harmlessly (it is a heuristic), and a taken record writes nothing
/// while the score is zero.
/// </summary>
internal struct FastPathScore
{
    private const int Penalty = 16;
    private const int Limit = Penalty * 256;

    private int _score;

    /// <summary>Gets a value indicating whether the fast path is still tried.</summary>
    public readonly bool Tried => _score < Limit;

    /// <summary>Gets a value indicating whether the fast path has declined enough lately to be half way to stopping.</summary>
    public readonly bool HalfWay => _score >= Limit / 2;

    /// <summary>The fast path took a record.</summary>
    public void Hit()
    {
        if (_score > 0)
        {
            _score--;
        }
    }

    /// <summary>The fast path declined a record.</summary>
    public void Miss() => _score += Penalty;

    /// <summary>Stops trying the fast path.</summary>
    public void Stop() => _score = Limit;

    /// <summary>Starts counting again (a new fast path).</summary>
    public void Reset() => _score = 0;
}
