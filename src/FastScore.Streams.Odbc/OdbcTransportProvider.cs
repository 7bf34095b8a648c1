using FastScore.Streams.Descriptors;
using FastScore.Streams.Odbc;
using FastScore.Streams.Transports;

namespace FastScore.Streams
{
    /// <summary>Registers the <c>odbc</c> transport on <see cref="IFastScoreStreamsBuilder"/>.</summary>
    public static class OdbcFastScoreStreamsBuilderExtensions
    {
        /// <summary>Registers the <c>odbc</c> transport: <c>SelectQuery</c> rows as JSON records, records as batched <c>INSERT</c>s (docs/odbc.md).</summary>
        /// <param name="builder">The builder from <c>services.AddFastScoreStreams()</c>.</param>
        /// <returns>The same builder instance so that multiple calls can be chained.</returns>
        public static IFastScoreStreamsBuilder AddOdbcTransport(this IFastScoreStreamsBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddTransport(new OdbcTransportProvider());
        }
    }

    /// <summary>Registers the <c>odbc</c> transport on <see cref="StreamFactoryOptions"/> (without dependency injection).</summary>
    public static class OdbcStreamFactoryOptionsExtensions
    {
        /// <summary>Registers (or replaces) the <c>odbc</c> transport.</summary>
        /// <param name="options">The registries.</param>
        /// <returns>The same options, for chaining.</returns>
        public static StreamFactoryOptions AddOdbc(this StreamFactoryOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            options.Components.Add(new OdbcTransportProvider());
            return options;
        }
    }
}

namespace FastScore.Streams.Odbc
{
    /// <summary>The <c>odbc</c> transport over System.Data.Odbc; its descriptor is still read by the core's descriptor reader.</summary>
    internal sealed class OdbcTransportProvider : TransportProvider
    {
        public override string Type => TransportTypes.Odbc;

        public override bool PreservesRecordBoundaries => true;

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) => new OdbcInput(Settings(descriptor, context));

        public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) => new OdbcOutput(Settings(descriptor, context));

        private static OdbcSettings Settings(StreamDescriptor descriptor, TransportContext context)
        {
            var odbc = (OdbcTransportDescriptor)descriptor.Transport;
            return new OdbcSettings
            {
                StreamName = context.StreamName,
                ConnectionString = odbc.ConnectionString,
                SelectQuery = odbc.SelectQuery,
                InsertIntoTable = odbc.InsertIntoTable,
                OutputFields = odbc.OutputFields,
                Timeout = odbc.Timeout,
            };
        }
    }
}
