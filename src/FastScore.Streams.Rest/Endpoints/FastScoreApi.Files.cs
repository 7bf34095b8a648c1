using System.Text;
using System.Text.Json.Nodes;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Engine;
using Microsoft.AspNetCore.Http;

namespace FastScore.Streams.Rest.Endpoints;

// Model load (PUT /2/active/model, PUT /1/job/model) and file upload into the data root (PUT /2/engine/file).
internal sealed partial class FastScoreApi
{
    /// <summary>
    /// Loads a model by name: the body (or <c>Content-Disposition: x-model; name</c>) names it, the host's
    /// <see cref="FastScoreRestOptions.ModelResolver"/> creates it. 204 loaded; 400 not loadable now (not in INIT, a
    /// stream on a slot the model does not use); 404 unknown name; 501 no resolver.
    /// </summary>
    private async Task LoadModelAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        if (_options.ModelResolver is not { } resolve)
        {
            await TextAsync(ctx, 501, "This engine does not load models over its API: its host gives the model when it starts.").ConfigureAwait(false);
            return;
        }

        string? header = StreamName(ctx.Request.Headers.ContentDisposition);
        string text = Encoding.UTF8.GetString(body).Trim();
        string name = text.Length > 0 ? text : header ?? "";
        if (name.Length == 0 || name.Length > 200 || name.Any(char.IsControl))
        {
            await TextAsync(ctx, 400, "The body names the model to load (e.g. iris); it was empty or not a name.").ConfigureAwait(false);
            return;
        }

        IModel? model;
        try
        {
            model = resolve(name);
        }
        catch (ArgumentException ex)
        {
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
            return;
        }

        if (model is null)
        {
            await TextAsync(ctx, 404, $"No model named '{SafeText.EscapeControlCharacters(name)}' in this engine.").ConfigureAwait(false);
            return;
        }

        try
        {
            _engine.LoadModel(model, header ?? name);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or DescriptorException)
        {
            (model as IDisposable)?.Dispose();
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the body to a file under the data root (<c>?path=</c>, relative to the data root or absolute under it).
    /// 201 with <c>{"path", "bytes"}</c>; 400 no path; 403 not allowed or outside the data root; 409 exists (without
    /// <c>force=true</c>) or is a folder; 413 larger than the body limit.
    /// </summary>
    private async Task PutFileAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        if (!_options.AllowFileUpload)
        {
            await TextAsync(ctx, 403, "This engine does not accept files over its API (FastScoreRestOptions.AllowFileUpload).").ConfigureAwait(false);
            return;
        }

        string? requested = ctx.Request.Query["path"];
        if (string.IsNullOrWhiteSpace(requested) || requested.Contains('\0', StringComparison.Ordinal))
        {
            await TextAsync(ctx, 400, "Give the destination as ?path=PATH: relative to the engine's data root, or absolute under it.").ConfigureAwait(false);
            return;
        }

        string full = Path.GetFullPath(Path.IsPathRooted(requested) ? requested : Path.Combine(_policy.DataRoot, requested));
        if (_policy.CheckPath(full, "path") is { } problem)
        {
            await TextAsync(ctx, 403, problem).ConfigureAwait(false);
            return;
        }

        bool force = string.Equals(ctx.Request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        if (Directory.Exists(full) || full.EndsWith(Path.DirectorySeparatorChar))
        {
            await TextAsync(ctx, 409, $"{full} is a folder; give a file name.").ConfigureAwait(false);
            return;
        }

        if (File.Exists(full) && !force)
        {
            await TextAsync(ctx, 409, $"{full} already exists; replace it with force=true (fastscore engine put --force).").ConfigureAwait(false);
            return;
        }

        byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        string temporary = $"{full}.upload-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(temporary, body, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: force); // whole or not at all: a reader never sees half a file
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            await TextAsync(ctx, File.Exists(full) && !force ? 409 : 500, $"Cannot write {full}: {ex.Message}").ConfigureAwait(false);
            return;
        }

        await JsonAsync(ctx, 201, new JsonObject { ["path"] = full, ["bytes"] = body.Length }).ConfigureAwait(false);
    }
}
