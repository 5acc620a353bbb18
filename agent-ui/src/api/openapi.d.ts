/**
 * Generated from the server's OpenAPI document (server/integration/openapi.ts, from the zod
 * schemas in server/integration/openapi-routes.ts) by scripts/api-types.ts with openapi-typescript.
 * Do not edit: change the server's schemas, then run `npm run api:types`.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health of the server, PBX links, database, Redis
         * @description No login.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This OpenAPI 3.1 document
         * @description No login.
         */
        get: operations["getOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in: a bearer session token
         * @description No login.
         */
        post: operations["postAuthLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End this session
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postAuthLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getAuthMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users (names for pickers)
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getUsers"];
        put?: never;
        /**
         * Create a user
         * @description Roles: admin.
         */
        post: operations["postUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a user
         * @description Roles: admin.
         */
        patch: operations["patchUsersId"];
        trace?: never;
    };
    "/users/{id}/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The queues a supervisor is responsible for
         * @description Roles: admin.
         */
        get: operations["getUsersIdQueues"];
        /**
         * Set the queues a supervisor is responsible for
         * @description Roles: admin.
         */
        put: operations["putUsersIdQueues"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log
         * @description Roles: admin.
         */
        get: operations["getAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/phone/normalize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A written phone number in E.164
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getPhoneNormalize"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search and list clients
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getClients"];
        put?: never;
        /**
         * Create a client
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postClients"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export clients (CSV)
         * @description Roles: manager, admin.
         */
        get: operations["getClientsExportCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import clients from CSV (background job)
         * @description Roles: manager, admin.
         */
        post: operations["postClientsImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/import/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An import's progress and errors
         * @description Roles: manager, admin.
         */
        get: operations["getClientsImportId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A client
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getClientsId"];
        put?: never;
        post?: never;
        /**
         * Delete a client (soft)
         * @description Roles: supervisor, manager, admin.
         */
        delete: operations["deleteClientsId"];
        options?: never;
        head?: never;
        /**
         * Change a client
         * @description Roles: agent, supervisor, manager, admin.
         */
        patch: operations["patchClientsId"];
        trace?: never;
    };
    "/clients/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A client's calls, notes, tasks, newest first
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getClientsIdTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{id}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a note
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postClientsIdNotes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{id}/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a contact
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postClientsIdContacts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/contacts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a contact
         * @description Roles: supervisor, manager, admin.
         */
        delete: operations["deleteContactsId"];
        options?: never;
        head?: never;
        /**
         * Change a contact
         * @description Roles: agent, supervisor, manager, admin.
         */
        patch: operations["patchContactsId"];
        trace?: never;
    };
    "/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tasks
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getTasks"];
        put?: never;
        /**
         * Create a task
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postTasks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change or close a task
         * @description Roles: agent, supervisor, manager, admin.
         */
        patch: operations["patchTasksId"];
        trace?: never;
    };
    "/me/workspace": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything the console needs after a (re)connect
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getMeWorkspace"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Available, paused (reason) or logged out
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postMeStatus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/originate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Click-to-call: ring my phone, then the number
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsOriginate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/hangup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hang up a call one is on
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdHangup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/transfer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Blind transfer to an extension or queue
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdTransfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/wrapup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Save the wrap-up (disposition from DISPOSITIONS, note)
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdWrapup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/client": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Which client the call is about
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdClient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/demo/phone/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The demo phone (simulator only)
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postDemoPhoneAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The call journal, newest first
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getCalls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Calls up or ringing now
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getCallsLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/agents/states": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every agent's state
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getAgentsStates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Callbacks
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getCallbacks"];
        put?: never;
        /**
         * Schedule a callback
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallbacks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per-queue callback counts, last 24 h
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getCallbacksSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/settings/{queue}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A queue's callback settings
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getCallbacksSettingsQueue"];
        /**
         * Set a queue's callback settings
         * @description Roles: admin.
         */
        put: operations["putCallbacksSettingsQueue"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/sites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Websites whose widget may ask for callbacks
         * @description Roles: admin.
         */
        get: operations["getCallbacksSites"];
        put?: never;
        /**
         * Add a website
         * @description Roles: admin.
         */
        post: operations["postCallbacksSites"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/sites/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable a website
         * @description Roles: admin.
         */
        post: operations["postCallbacksSitesIdDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A callback
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getCallbacksId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Reschedule, reassign, cancel
         * @description Roles: agent, supervisor, manager, admin.
         */
        patch: operations["patchCallbacksId"];
        trace?: never;
    };
    "/callbacks/{id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept an offered callback
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallbacksIdAccept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/callbacks/{id}/dial": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dial one's own callback now
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallbacksIdDial"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/public/callbacks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The website widget's request (site key, no login)
         * @description No login.
         */
        post: operations["postPublicCallbacks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recordings
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getRecordings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A recording with peaks and speech
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getRecordingsId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/{id}/audio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audio (Range honoured)
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getRecordingsIdAudio"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/{id}/audio-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A short-lived link to the audio for a media element
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getRecordingsIdAudioUrl"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/{id}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audio by ticket
         * @description No login.
         */
        get: operations["getRecordingsIdStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/recording": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause or resume the recording
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdRecording"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retention rules
         * @description Roles: admin.
         */
        get: operations["getRecordingsRetention"];
        /**
         * Set retention rules
         * @description Roles: admin.
         */
        put: operations["putRecordingsRetention"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/retention/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply retention now
         * @description Roles: admin.
         */
        post: operations["postRecordingsRetentionRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recordings/erase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Erase a person's recordings
         * @description Roles: admin.
         */
        post: operations["postRecordingsErase"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/legal-holds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Legal holds in force
         * @description Roles: manager, admin.
         */
        get: operations["getLegalHolds"];
        put?: never;
        /**
         * Place a legal hold
         * @description Roles: manager, admin.
         */
        post: operations["postLegalHolds"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/legal-holds/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Release a legal hold
         * @description Roles: manager, admin.
         */
        delete: operations["deleteLegalHoldsId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The wallboard: queues and agents now (docs/supervisor.md)
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getWallboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallboard/tv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The wallboard for a TV (wallboard token)
         * @description No login.
         */
        get: operations["getWallboardTv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallboard/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Wallboard TV tokens
         * @description Roles: manager, admin.
         */
        get: operations["getWallboardTokens"];
        put?: never;
        /**
         * Make a wallboard TV token
         * @description Roles: manager, admin.
         */
        post: operations["postWallboardTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallboard/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a wallboard TV token
         * @description Roles: manager, admin.
         */
        delete: operations["deleteWallboardTokensId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/queues/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Queues' service-level targets and thresholds
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getQueuesTargets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/queues/{queue}/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a queue's targets and thresholds
         * @description Roles: manager, admin.
         */
        put: operations["putQueuesQueueTargets"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/supervisor/spy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Listen, whisper or barge
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postSupervisorSpy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/supervisor/spy/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop listening
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postSupervisorSpyStop"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/supervisor/agents/{ext}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause, unpause, log out or add an agent
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postSupervisorAgentsExtAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Call scripts
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getScripts"];
        put?: never;
        /**
         * Create a call script
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postScripts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import a call script
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postScriptsImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A call script
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getScriptsId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/{id}/draft": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Save a script's draft
         * @description Roles: supervisor, manager, admin.
         */
        put: operations["putScriptsIdDraft"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/{id}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish a script's draft
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postScriptsIdPublish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export a call script
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getScriptsIdExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scripts/{id}/funnel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where callers leave a script (JSON or CSV)
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getScriptsIdFunnel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/script-rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Which script a call gets
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getScriptRules"];
        put?: never;
        /**
         * Add a script rule
         * @description Roles: supervisor, manager, admin.
         */
        post: operations["postScriptRules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/script-rules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a script rule
         * @description Roles: supervisor, manager, admin.
         */
        delete: operations["deleteScriptRulesId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/calls/{callId}/script-run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A call's script run
         * @description Roles: agent, supervisor, manager, admin.
         */
        get: operations["getCallsCallIdScriptRun"];
        put?: never;
        /**
         * Record a step of a call's script
         * @description Roles: agent, supervisor, manager, admin.
         */
        post: operations["postCallsCallIdScriptRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/reports/calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Call-center figures by day, week, hour, queue, agent or DID (JSON or CSV; docs/reports.md)
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getReportsCalls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/reports/business": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Business figures from the CRM: lead conversion by stage and month, time to first contact and to process a request, growth per month, lost clients, complaints (JSON, or one table as CSV)
         * @description Roles: manager, admin.
         */
        get: operations["getReportsBusiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/reports/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per agent: calls, missed rings, talk, hold, wrap-up, time per state and pause reason, occupancy (JSON or CSV)
         * @description Roles: supervisor, manager, admin.
         */
        get: operations["getReportsAgents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * API tokens (never the tokens themselves)
         * @description Roles: admin.
         */
        get: operations["getApiTokens"];
        put?: never;
        /**
         * Make an API token: shown this once
         * @description Roles: admin.
         */
        post: operations["postApiTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api-tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API token
         * @description Roles: admin.
         */
        delete: operations["deleteApiTokensId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Outgoing webhooks
         * @description Roles: admin.
         */
        get: operations["getWebhooks"];
        put?: never;
        /**
         * Add a webhook: its signing secret is shown this once
         * @description Roles: admin.
         */
        post: operations["postWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a webhook
         * @description Roles: admin.
         */
        delete: operations["deleteWebhooksId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A webhook's delivery log (last 200)
         * @description Roles: admin.
         */
        get: operations["getWebhooksIdDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The event stream (WebSocket)
         * @description A plain WebSocket (send `Upgrade: websocket`); needs an API token with `events:stream`. Each message is one event `{seq, type, at, ...}`; `?after=<seq>` resumes after that event; a point no longer kept is an error message `RESUME_TOO_OLD` and close code 4410.
         */
        get: operations["getStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Health: {
            /** @enum {string} */
            status: "ok" | "degraded";
            version: string;
            /** @enum {string} */
            ami: "connected" | "disconnected";
            lease: string;
            db: string;
            redis: string;
        } & {
            [key: string]: unknown;
        };
        /** @description Every error: 4xx/5xx with a code, a message and, for bad input, the field */
        Error: {
            error: {
                code: string;
                message: string;
                field?: string;
            };
        };
        User: {
            id: number;
            username: string;
            displayName: string;
            /** @enum {string} */
            role: "agent" | "supervisor" | "manager" | "admin";
            extension: string | null;
            active: boolean;
        };
        Client: {
            id: number;
            /** @enum {string} */
            kind: "person" | "company";
            name: string;
            company: string | null;
            emails: string[];
            addressLine: string | null;
            city: string | null;
            region: string | null;
            postalCode: string | null;
            country: string | null;
            owner: components["schemas"]["UserRef"] | null;
            /** @enum {string} */
            stage: "prospect" | "active" | "regular" | "lost";
            tags: string[];
            leadSource: string | null;
            vip: boolean;
            notes: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description the client's own numbers; contacts' numbers are under their contact */
            phones: components["schemas"]["Phone"][];
            contacts: components["schemas"]["Contact"][];
        };
        UserRef: {
            id: number;
            displayName: string;
        };
        Phone: {
            id: number;
            /** @description E.164, or the digits of an internal extension / short code */
            number: string;
            /** @description what the user typed, kept for display */
            raw: string;
            /** @enum {string} */
            type: "mobile" | "work" | "home" | "fax" | "other";
            isPrimary: boolean;
            contactId: number | null;
        };
        Contact: {
            id: number;
            name: string;
            title: string | null;
            email: string | null;
            phones: components["schemas"]["Phone"][];
        };
        ImportJob: {
            id: number;
            /** @enum {string} */
            status: "queued" | "running" | "done" | "failed";
            dryRun: boolean;
            bytes: number;
            /** @description data rows in the file; null until the file was read through once */
            totalRows: number | null;
            rowsDone: number;
            created: number;
            updated: number;
            unchanged: number;
            failed: number;
            /** @description why the whole file was refused or the import stopped */
            error: {
                code: string;
                message: string;
                line?: number;
            } | null;
            /** Format: date-time */
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
        };
        ImportReport: {
            id: number;
            /** @enum {string} */
            status: "queued" | "running" | "done" | "failed";
            dryRun: boolean;
            bytes: number;
            /** @description data rows in the file; null until the file was read through once */
            totalRows: number | null;
            rowsDone: number;
            created: number;
            updated: number;
            unchanged: number;
            failed: number;
            /** @description why the whole file was refused or the import stopped */
            error: {
                code: string;
                message: string;
                line?: number;
            } | null;
            /** Format: date-time */
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            /** @description row problems, by line; the first ones (the counts stay exact). Line 1 lists ignored columns */
            errors: {
                row: number;
                field: string;
                message: string;
            }[];
        };
        TimelineItem: {
            /** @constant */
            type: "note";
            id: number;
            /** Format: date-time */
            at: string;
            body: string;
            author: components["schemas"]["UserRef"] | null;
        } | {
            /** @constant */
            type: "task";
            id: number;
            /** Format: date-time */
            at: string;
            title: string;
            body: string | null;
            dueAt: string | null;
            doneAt: string | null;
            assignee: components["schemas"]["UserRef"] | null;
        } | {
            /** @constant */
            type: "stage";
            id: number;
            /** Format: date-time */
            at: string;
            from: ("prospect" | "active" | "regular" | "lost") | null;
            /** @enum {string} */
            to: "prospect" | "active" | "regular" | "lost";
            by: components["schemas"]["UserRef"] | null;
        } | {
            /** @constant */
            type: "call";
            id: number;
            /** Format: date-time */
            at: string;
            direction: string;
            outcome: string;
            queue: string | null;
            agent: string | null;
            agentUser: components["schemas"]["UserRef"] | null;
            calledNumber: string;
            waitSeconds: number | null;
            talkSeconds: number | null;
            /** @description set once the call's recording is playable: the timeline links to the player */
            recordingId: number | null;
        };
        Note: {
            id: number;
            body: string;
            /** Format: date-time */
            createdAt: string;
            author: components["schemas"]["UserRef"] | null;
        };
        Task: {
            id: number;
            clientId: number | null;
            client: {
                id: number;
                name: string;
            } | null;
            title: string;
            body: string | null;
            dueAt: string | null;
            assignee: components["schemas"]["UserRef"] | null;
            createdBy: components["schemas"]["UserRef"] | null;
            doneAt: string | null;
            /** Format: date-time */
            createdAt: string;
        };
        Call: {
            id: number;
            linkedid: string;
            direction: string;
            callerNumber: string;
            calledNumber: string;
            queue: string | null;
            agent: string | null;
            clientId: number | null;
            startedAt: string;
            answeredAt: string | null;
            endedAt: string;
            waitSeconds: number | null;
            talkSeconds: number | null;
            outcome: string;
            recordingId: number | null;
        } & {
            [key: string]: unknown;
        };
        Callback: {
            id: number;
            number: string;
            name: string | null;
            queue: string;
            /** @enum {string} */
            source: "abandoned" | "ivr" | "web" | "agent";
            /** @enum {string} */
            status: "pending" | "offered" | "dialing" | "done" | "cancelled" | "expired";
            outcome: ("reached" | "no-answer" | "busy" | "wrong-number" | "failed" | "cancelled" | "expired" | "reached-by-customer") | null;
            /** Format: date-time */
            dueAt: string;
            windowEnd: string | null;
            /**
             * Format: date-time
             * @description when the customer first joined the queue: their place among callbacks
             */
            originalQueuedAt: string;
            priority: number;
            attempts: number;
            maxAttempts: number;
            clientId: number | null;
            assigneeId: number | null;
            offeredTo: string | null;
            /** @description linkedids of the calls made for it */
            callIds: string[];
            originLinkedid: string | null;
            note: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            doneAt: string | null;
        };
        Recording: {
            id: number;
            callId: number | null;
            linkedid: string;
            /** @enum {string} */
            status: "pending" | "ready" | "failed" | "empty" | "deleted";
            durationSeconds: number | null;
            sides: ("mix" | "caller" | "agent")[];
            /** @description the call's start; null when the call is not in the journal */
            startedAt: string | null;
            direction: string | null;
            queue: string | null;
            customerNumber: string | null;
            outcome: string | null;
            disposition: string | null;
            agent: {
                extension: string | null;
                name: string | null;
            };
            client: {
                id: number;
                name: string;
            } | null;
            deletedReason: string | null;
        };
        RecordingDetail: {
            id: number;
            callId: number | null;
            linkedid: string;
            /** @enum {string} */
            status: "pending" | "ready" | "failed" | "empty" | "deleted";
            durationSeconds: number | null;
            sides: ("mix" | "caller" | "agent")[];
            /** @description the call's start; null when the call is not in the journal */
            startedAt: string | null;
            direction: string | null;
            queue: string | null;
            customerNumber: string | null;
            outcome: string | null;
            disposition: string | null;
            agent: {
                extension: string | null;
                name: string | null;
            };
            client: {
                id: number;
                name: string;
            } | null;
            deletedReason: string | null;
            /** @description 20 points a second per side, 0..1; null until the recording is ready */
            peaks: {
                mix?: number[];
                caller?: number[];
                agent?: number[];
            } | null;
            speech: {
                caller: [
                    number,
                    number
                ][];
                agent: [
                    number,
                    number
                ][];
                silences: [
                    number,
                    number
                ][];
                overtalk: [
                    number,
                    number
                ][];
            } | null;
            muted: [
                number,
                number
            ][];
            checksum: string | null;
            lastError: string | null;
            note: string | null;
            legalHold: boolean;
        };
        Wallboard: {
            /**
             * Format: date-time
             * @description when the board was computed: waits and durations are as of this instant
             */
            at: string;
            /** @description bumped by each push of the node holding the PBX; a console seeing a gap reloads the board */
            version: number;
            source: string;
            queues: components["schemas"]["WallboardQueue"][];
            agents: components["schemas"]["WallboardAgent"][];
        };
        WallboardQueue: {
            name: string;
            waiting: {
                callId: string;
                waitSeconds: number;
                caller: string;
                client: {
                    id: number;
                    name: string;
                } | null;
            }[];
            longestWaitSeconds: number;
            agents: {
                available: number;
                ringing: number;
                onCall: number;
                paused: number;
                wrapUp: number;
                loggedOut: number;
                /** @description phone offline, or the PBX not reachable (state unavailable / unknown) */
                unavailable: number;
            };
            today: {
                offered: number;
                answered: number;
                /** @description callers who left the queue before an answer after waiting at least the short-abandon time */
                abandoned: number;
                /** @description callers who left sooner (misdials, instant regrets): counted apart, out of the service level */
                shortAbandoned: number;
                answeredWithinTarget: number;
                /** @description percent of answered calls answered within the target (null before the first answer) */
                serviceLevel: number | null;
                /** @description percent of answered and (long) abandoned calls answered within the target */
                serviceLevelWithAbandons: number | null;
                /** @description average speed of answer: mean wait of answered calls */
                asaSeconds: number | null;
                /** @description average handle time: (talk with hold + wrap-up) / answered */
                ahtSeconds: number | null;
                callbacksPending: number;
            };
            targetSeconds: number;
            targetPercent: number;
            thresholds: {
                maxWaitSeconds: number | null;
                minServiceLevel: number | null;
                maxWaiting: number | null;
            };
            /** @description thresholds crossed now: the board colours the queue and the supervisor's console alerts */
            breaches: ("longest-wait" | "service-level" | "waiting")[];
        };
        WallboardAgent: {
            agent: string;
            user: {
                id: number;
                name: string;
            } | null;
            pbx: string;
            /** @enum {string} */
            state: "available" | "ringing" | "on-call" | "paused" | "wrap-up" | "unavailable" | "logged-out" | "unknown";
            reason: string | null;
            /** Format: date-time */
            since: string;
            queues: string[];
            call: {
                callId: string;
                caller: string;
                client: {
                    id: number;
                    name: string;
                } | null;
                queue: string | null;
                direction: string;
                /** @description when the agent answered (null: still ringing) */
                answeredAt: string | null;
                onHold: boolean;
                /** @description a supervisor listens, whispers or barges on it now */
                spy: {
                    mode: string;
                    supervisor: string;
                } | null;
            } | null;
            today: {
                calls: number;
                talkSeconds: number;
                pauseSeconds: number;
            };
            lastDisposition: string | null;
        };
        TvWallboard: {
            /**
             * Format: date-time
             * @description when the board was computed: waits and durations are as of this instant
             */
            at: string;
            /** @description bumped by each push of the node holding the PBX; a console seeing a gap reloads the board */
            version: number;
            source: string;
            queues: components["schemas"]["WallboardQueue"][];
            agents: components["schemas"]["WallboardAgent"][];
            screen: string;
        };
        ScriptFunnel: {
            runs: number;
            completed: number;
            outcomes: {
                [key: string]: number;
            };
            steps: {
                step: string;
                type: string;
                title: string | null;
                /** @description runs that reached the step (once per run) */
                reached: number;
                /** @description runs that stopped there without finishing */
                left: number;
                byAnswer: {
                    [key: string]: number;
                };
                /** @description median time from reaching the step to the next one */
                medianSeconds: number | null;
            }[];
            /** @description conversion (runs ending in a converting outcome) by queue */
            byQueue: {
                key: string;
                runs: number;
                completed: number;
                converted: number;
            }[];
            byCampaign: {
                key: string;
                runs: number;
                completed: number;
                converted: number;
            }[];
            byAgent: {
                key: string;
                runs: number;
                completed: number;
                converted: number;
            }[];
            scriptId: number;
            version: number;
            name: string;
        };
        CallsReport: {
            from: string;
            to: string;
            /** @enum {string} */
            groupBy: "day" | "week" | "hour" | "queue" | "agent" | "did";
            tz: string;
            shortAbandonSeconds: number;
            rows: components["schemas"]["CallsReportRow"][];
            totals: components["schemas"]["CallsReportRow"];
            abandonTimes: {
                bucket: string;
                fromSeconds: number;
                toSeconds: number | null;
                count: number;
            }[];
            dispositions: {
                disposition: string | null;
                count: number;
            }[];
        };
        CallsReportRow: {
            /** @description the day (YYYY-MM-DD), week (its Monday), hour of day (00-23), queue, agent extension or DID; null: calls without one */
            key: string | null;
            offered: number;
            answered: number;
            /** @description callers who left the queue after waiting at least SHORT_ABANDON_SECONDS */
            abandoned: number;
            shortAbandoned: number;
            serviceLevel: number | null;
            serviceLevelWithAbandons: number | null;
            asaSeconds: number | null;
            ahtSeconds: number | null;
            talkSeconds: number | null;
            holdSeconds: number | null;
            wrapupSeconds: number | null;
            transfers: number;
            answeredWithinTarget: number;
            /** @description the agent's name or the DID's label, when known */
            label: string | null;
            /** @description callbacks created in the range (by creation time, queue, assignee, or the DID of the call they came from) */
            callbacksRequested: number;
            /** @description of those, done with outcome reached or reached-by-customer */
            callbacksCompleted: number;
            /** @description percent of answered calls not followed by another inbound call from the same number within FCR_DAYS */
            firstContactResolution: number | null;
            /** @description finished script runs of these calls by outcome (CSV: outcome=count;…) */
            scriptOutcomes: {
                [key: string]: number;
            };
            /** @description grouped by DID only: clients created in the range whose first call was to this DID, or whose lead source is its label; null otherwise */
            newClients: number | null;
        };
        BusinessReport: {
            from: string;
            to: string;
            tz: string;
            conversion: {
                /** @description clients created in the range whose first stage was prospect */
                leads: number;
                /** @description of those, the ones that reached active or regular (by now) */
                converted: number;
                rate: number | null;
                meanDaysToConvert: number | null;
            };
            conversionByMonth: {
                month: string;
                leads: number;
                converted: number;
                rate: number | null;
            }[];
            stages: {
                stage: string;
                /** @description clients in this stage now */
                clients: number;
                /** @description stage changes into this stage in the range */
                enteredInRange: number;
                /** @description the range's leads that reached this stage */
                reachedByLeads: number;
            }[];
            /** @description clients created in the range (count), first talked to (done), created → first answered or reached call */
            firstContact: {
                count: number;
                done: number;
                meanSeconds: number | null;
                p50Seconds: number | null;
            };
            /** @description tasks created in the range, done, created → done */
            tasks: {
                count: number;
                done: number;
                meanSeconds: number | null;
                p50Seconds: number | null;
            };
            /** @description callbacks created in the range, done, created → done */
            callbacks: {
                count: number;
                done: number;
                meanSeconds: number | null;
                p50Seconds: number | null;
            };
            growth: {
                month: string;
                newClients: number;
                becameLost: number;
                totalClients: number;
            }[];
            lost: {
                days: number;
                asOf: string;
                count: number;
                /** @description the first 100 by id */
                clients: {
                    id: number;
                    name: string;
                    lastContactAt: string | null;
                }[];
            };
            complaints: {
                count: number;
                withTask: number;
                closed: number;
                meanCloseSeconds: number | null;
                p50CloseSeconds: number | null;
                /** @description the first 200 by start time */
                items: {
                    linkedid: string;
                    startedAt: string;
                    clientId: number | null;
                    /** @enum {string} */
                    source: "disposition" | "script";
                    taskId: number | null;
                    closedAt: string | null;
                    closeSeconds: number | null;
                }[];
            };
        };
        AgentsReport: {
            from: string;
            to: string;
            rows: components["schemas"]["AgentReportRow"][];
        };
        AgentReportRow: {
            /** @description extension */
            agent: string;
            /** @description call segments this agent answered (a transferred call counts for each agent who talked) */
            calls: number;
            /** @description times this agent's phone rang for a call and they did not answer while the caller was still there */
            missedRings: number;
            /** @description total talk, hold excluded */
            talkSeconds: number;
            holdSeconds: number;
            /** @description total wrap-up of the calls they handled last (hang-up to saved wrap-up, at most WRAPUP_SECONDS; WRAPUP_SECONDS when none was saved) */
            wrapupSeconds: number;
            availableSeconds: number;
            /** @description time in the states ringing and on-call */
            onCallSeconds: number;
            /** @description time in the wrap-up state */
            wrapupStateSeconds: number;
            pausedSeconds: number;
            /** @description percent: (on call + wrap-up state) / (available + on call + wrap-up state) */
            occupancy: number | null;
            name: string | null;
            pauseByReason: {
                [key: string]: number;
            };
        };
        ApiToken: {
            id: number;
            name: string;
            /** @description the token's first characters, to tell tokens apart */
            prefix: string;
            scopes: ("calls:read" | "clients:read" | "clients:write" | "events:stream")[];
            createdBy: {
                id: number;
                displayName: string;
            };
            createdAt: string;
            lastUsedAt: string | null;
            revokedAt: string | null;
        };
        ApiTokenCreated: {
            id: number;
            token: string;
            name: string;
            scopes: ("calls:read" | "clients:read" | "clients:write" | "events:stream")[];
        };
        Webhook: {
            id: number;
            name: string;
            url: string;
            events: string[];
            active: boolean;
            createdAt: string;
        };
        WebhookCreated: {
            id: number;
            name: string;
            url: string;
            events: string[];
            active: boolean;
            createdAt: string;
            /** @description the HMAC key: shown this once */
            secret: string;
        };
        WebhookDelivery: {
            id: number;
            eventSeq: number;
            eventType: string;
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            attempts: number;
            lastStatus: number | null;
            lastError: string | null;
            createdAt: string;
            updatedAt: string;
        };
        StreamEvent: {
            seq: number;
            /** @description call.started, call.queued, call.ringing, call.answered, call.transferred, call.ended, agent.state, queue.update, client.changed */
            type: string;
            at: string;
        } & {
            [key: string]: unknown;
        };
        WallboardUpdate: {
            /**
             * Format: date-time
             * @description when the board was computed: waits and durations are as of this instant
             */
            at: string;
            /** @description bumped by each push of the node holding the PBX; a console seeing a gap reloads the board */
            version: number;
            source: string;
            queues: components["schemas"]["WallboardQueue"][];
            agents: components["schemas"]["WallboardAgent"][];
            /** @description agents no longer on the board (removed from every queue of this viewer) */
            removedAgents: string[];
        };
        SupervisorAlert: {
            queue: string;
            /** @enum {string} */
            kind: "longest-wait" | "service-level" | "waiting";
            value: number;
            threshold: number;
            /** Format: date-time */
            at: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Health of the server, PBX links, database, Redis */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postAuthLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Sign in: a bearer session token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        token: string;
                        expiresAt: string;
                        user: {
                            id: number;
                            username: string;
                            role: string;
                            extension: string | null;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postAuthLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAuthMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed-in user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users (names for pickers) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["User"][];
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username: string;
                    password: string;
                    /** @enum {string} */
                    role: "agent" | "supervisor" | "manager" | "admin";
                    displayName?: string;
                    extension?: string | null;
                };
            };
        };
        responses: {
            /** @description Create a user */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchUsersId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    displayName?: string;
                    /** @enum {string} */
                    role?: "agent" | "supervisor" | "manager" | "admin";
                    extension?: string | null;
                    active?: boolean;
                    password?: string;
                };
            };
        };
        responses: {
            /** @description Change a user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUsersIdQueues: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The queues a supervisor is responsible for */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putUsersIdQueues: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    queues: string[];
                };
            };
        };
        responses: {
            /** @description Set the queues a supervisor is responsible for */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAudit: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audit log */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPhoneNormalize: {
        parameters: {
            query: {
                number: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A written phone number in E.164 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getClients: {
        parameters: {
            query?: {
                q?: string;
                phone?: string;
                email?: string;
                tag?: string;
                stage?: "prospect" | "active" | "regular" | "lost";
                owner?: "me" | string;
                sort?: "name" | "-name" | "createdAt" | "-createdAt" | "updatedAt" | "-updatedAt";
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Search and list clients */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Client"][];
                        next: string | null;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postClients: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    kind?: "person" | "company";
                    company?: string | null;
                    emails?: string[];
                    addressLine?: string | null;
                    city?: string | null;
                    region?: string | null;
                    postalCode?: string | null;
                    country?: string | null;
                    ownerId?: number | null;
                    /** @enum {string} */
                    stage?: "prospect" | "active" | "regular" | "lost";
                    tags?: string[];
                    leadSource?: string | null;
                    vip?: boolean;
                    notes?: string | null;
                    phones?: (string | {
                        number: string;
                        /** @enum {string} */
                        type?: "mobile" | "work" | "home" | "fax" | "other";
                        isPrimary?: boolean;
                    })[];
                };
            };
        };
        responses: {
            /** @description Create a client */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getClientsExportCsv: {
        parameters: {
            query?: {
                q?: string;
                phone?: string;
                email?: string;
                tag?: string;
                stage?: "prospect" | "active" | "regular" | "lost";
                owner?: "me" | string;
                sort?: "name" | "-name" | "createdAt" | "-createdAt" | "updatedAt" | "-updatedAt";
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Export clients (CSV) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postClientsImport: {
        parameters: {
            query?: {
                dryRun?: "0" | "1" | "true" | "false";
                encoding?: "utf-8" | "windows-1252" | "iso-8859-1";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Import clients from CSV (background job) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportJob"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getClientsImportId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An import's progress and errors */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportReport"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getClientsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A client */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteClientsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchClientsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    /** @enum {string} */
                    kind?: "person" | "company";
                    company?: string | null;
                    emails?: string[];
                    addressLine?: string | null;
                    city?: string | null;
                    region?: string | null;
                    postalCode?: string | null;
                    country?: string | null;
                    ownerId?: number | null;
                    /** @enum {string} */
                    stage?: "prospect" | "active" | "regular" | "lost";
                    tags?: string[];
                    leadSource?: string | null;
                    vip?: boolean;
                    notes?: string | null;
                    phones?: (string | {
                        number: string;
                        /** @enum {string} */
                        type?: "mobile" | "work" | "home" | "fax" | "other";
                        isPrimary?: boolean;
                    })[];
                };
            };
        };
        responses: {
            /** @description Change a client */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getClientsIdTimeline: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A client's calls, notes, tasks, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["TimelineItem"][];
                        next: string | null;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postClientsIdNotes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    body: string;
                };
            };
        };
        responses: {
            /** @description Add a note */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Note"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postClientsIdContacts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    title?: string | null;
                    email?: string | null;
                    phones?: (string | {
                        number: string;
                        /** @enum {string} */
                        type?: "mobile" | "work" | "home" | "fax" | "other";
                        isPrimary?: boolean;
                    })[];
                };
            };
        };
        responses: {
            /** @description Add a contact */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteContactsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchContactsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    title?: string | null;
                    email?: string | null;
                    phones?: (string | {
                        number: string;
                        /** @enum {string} */
                        type?: "mobile" | "work" | "home" | "fax" | "other";
                        isPrimary?: boolean;
                    })[];
                };
            };
        };
        responses: {
            /** @description Change a contact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTasks: {
        parameters: {
            query?: {
                assignee?: "me" | string;
                clientId?: string;
                status?: "open" | "done" | "all";
                due?: "today" | "overdue";
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tasks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Task"][];
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postTasks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title: string;
                    body?: string | null;
                    clientId?: number | null;
                    dueAt?: string | null;
                    assigneeId?: number | null;
                };
            };
        };
        responses: {
            /** @description Create a task */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchTasksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    body?: string | null;
                    dueAt?: string | null;
                    assigneeId?: number | null;
                    done?: boolean;
                };
            };
        };
        responses: {
            /** @description Change or close a task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMeWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Everything the console needs after a (re)connect */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postMeStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    state: "available" | "paused" | "logged-out";
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Available, paused (reason) or logged out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsOriginate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    number: string;
                    clientId?: number;
                };
            };
        };
        responses: {
            /** @description Click-to-call: ring my phone, then the number */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdHangup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdTransfer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    to: string;
                };
            };
        };
        responses: {
            /** @description Blind transfer to an extension or queue */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdWrapup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    disposition: string;
                    note?: string;
                    clientId?: number;
                };
            };
        };
        responses: {
            /** @description Save the wrap-up (disposition from DISPOSITIONS, note) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    clientId: number;
                };
            };
        };
        responses: {
            /** @description Which client the call is about */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postDemoPhoneAction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                action: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCalls: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                agent?: "me" | string;
                queue?: string;
                clientId?: string;
                outcome?: "answered" | "abandoned" | "missed" | "busy" | "failed" | "reached" | "not-reached";
                direction?: "inbound" | "outbound" | "internal";
                missedBy?: "me" | string;
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The call journal, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Call"][];
                        next: string | null;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallsLive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Calls up or ringing now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAgentsStates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every agent's state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallbacks: {
        parameters: {
            query?: {
                status?: "pending" | "offered" | "dialing" | "done" | "cancelled" | "expired" | "open";
                queue?: string;
                assignee?: "me" | string;
                number?: string;
                from?: string;
                to?: string;
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Callbacks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Callback"][];
                        next: string | null;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallbacks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    number: string;
                    name?: string;
                    queue?: string;
                    dueAt?: string;
                    windowEnd?: string;
                    note?: string;
                    clientId?: number;
                    assigneeId?: number | null;
                };
            };
        };
        responses: {
            /** @description Schedule a callback */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: number;
                        number: string;
                        name: string | null;
                        queue: string;
                        /** @enum {string} */
                        source: "abandoned" | "ivr" | "web" | "agent";
                        /** @enum {string} */
                        status: "pending" | "offered" | "dialing" | "done" | "cancelled" | "expired";
                        outcome: ("reached" | "no-answer" | "busy" | "wrong-number" | "failed" | "cancelled" | "expired" | "reached-by-customer") | null;
                        /** Format: date-time */
                        dueAt: string;
                        windowEnd: string | null;
                        /**
                         * Format: date-time
                         * @description when the customer first joined the queue: their place among callbacks
                         */
                        originalQueuedAt: string;
                        priority: number;
                        attempts: number;
                        maxAttempts: number;
                        clientId: number | null;
                        assigneeId: number | null;
                        offeredTo: string | null;
                        /** @description linkedids of the calls made for it */
                        callIds: string[];
                        originLinkedid: string | null;
                        note: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        doneAt: string | null;
                        merged: boolean;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallbacksSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Per-queue callback counts, last 24 h */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallbacksSettingsQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A queue's callback settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putCallbacksSettingsQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    minAbandonSeconds: number;
                    timezone: string;
                    hours: {
                        [key: string]: [
                            string,
                            string
                        ][];
                    } | null;
                    holidays: string[];
                    callWindow: [
                        string,
                        string
                    ];
                    maxAttempts: number;
                    targetMinutes: number;
                };
            };
        };
        responses: {
            /** @description Set a queue's callback settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallbacksSites: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Websites whose widget may ask for callbacks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallbacksSites: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    origins: string[];
                    queue: string;
                };
            };
        };
        responses: {
            /** @description Add a website */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallbacksSitesIdDisable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallbacksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A callback */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Callback"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchCallbacksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    dueAt?: string;
                    assigneeId?: number | null;
                    priority?: number;
                    note?: string;
                    /** @constant */
                    status?: "cancelled";
                    /** @constant */
                    outcome?: "wrong-number";
                };
            };
        };
        responses: {
            /** @description Reschedule, reassign, cancel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Callback"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallbacksIdAccept: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accept an offered callback */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallbacksIdDial: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Dial one's own callback now */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postPublicCallbacks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    siteKey: string;
                    number: string;
                    name?: string;
                    preferredAt?: string;
                    website?: string;
                };
            };
        };
        responses: {
            /** @description The website widget's request (site key, no login) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordings: {
        parameters: {
            query?: {
                q?: string;
                clientId?: string;
                phone?: string;
                agent?: string;
                queue?: string;
                from?: string;
                to?: string;
                outcome?: "answered" | "abandoned" | "missed" | "busy" | "failed" | "reached" | "not-reached";
                disposition?: string;
                minSeconds?: string;
                status?: "pending" | "ready" | "failed" | "empty" | "deleted";
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Recordings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Recording"][];
                        next: string | null;
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordingsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A recording with peaks and speech */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingDetail"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordingsIdAudio: {
        parameters: {
            query?: {
                side?: "mix" | "caller" | "agent";
                download?: "0" | "1" | "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audio (Range honoured) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "audio/ogg": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordingsIdAudioUrl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A short-lived link to the audio for a media element */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordingsIdStream: {
        parameters: {
            query: {
                side?: "mix" | "caller" | "agent";
                download?: "0" | "1" | "true" | "false";
                t: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audio by ticket */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "audio/ogg": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdRecording: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    paused: boolean;
                };
            };
        };
        responses: {
            /** @description Pause or resume the recording */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecordingsRetention: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Retention rules */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putRecordingsRetention: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    rules: {
                        queue: string | "*";
                        days: number | null;
                    }[];
                };
            };
        };
        responses: {
            /** @description Set retention rules */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postRecordingsRetentionRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Apply retention now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postRecordingsErase: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    phone?: string;
                    clientId?: number;
                    personalData?: boolean;
                };
            };
        };
        responses: {
            /** @description Erase a person's recordings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLegalHolds: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Legal holds in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postLegalHolds: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    linkedid?: string;
                    clientId?: number;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Place a legal hold */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteLegalHoldsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWallboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The wallboard: queues and agents now (docs/supervisor.md) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Wallboard"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWallboardTv: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The wallboard for a TV (wallboard token) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TvWallboard"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWallboardTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Wallboard TV tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWallboardTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @default [] */
                    queues?: string[];
                };
            };
        };
        responses: {
            /** @description Make a wallboard TV token */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWallboardTokensId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getQueuesTargets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queues' service-level targets and thresholds */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putQueuesQueueTargets: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                queue: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    targetSeconds?: number;
                    targetPercent?: number;
                    maxWaitSeconds?: number | null;
                    minServiceLevel?: number | null;
                    maxWaiting?: number | null;
                };
            };
        };
        responses: {
            /** @description Set a queue's targets and thresholds */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSupervisorSpy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    agent: string;
                    /** @enum {string} */
                    mode: "listen" | "whisper" | "barge";
                };
            };
        };
        responses: {
            /** @description Listen, whisper or barge */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSupervisorSpyStop: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stop listening */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSupervisorAgentsExtAction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ext: string;
                action: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code?: string;
                    reason?: string;
                    queue?: string;
                };
            };
        };
        responses: {
            /** @description Pause, unpause, log out or add an agent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScripts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Call scripts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postScripts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    graph: {
                        start: string;
                        steps: {
                            [key: string]: {
                                /** @enum {string} */
                                type: "say" | "question" | "input" | "end" | "jump";
                                title?: string;
                                text?: string;
                                options?: {
                                    label: string;
                                    next: string;
                                }[];
                                next?: string;
                                field?: string;
                                /** @enum {string} */
                                format?: "text" | "number" | "email" | "phone" | "date";
                                outcome?: string;
                                tip?: string;
                                image?: string;
                                script?: number;
                            };
                        };
                    };
                };
            };
        };
        responses: {
            /** @description Create a call script */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postScriptsImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    format?: "crm-script/1";
                    name: string;
                    graph: {
                        start: string;
                        steps: {
                            [key: string]: {
                                /** @enum {string} */
                                type: "say" | "question" | "input" | "end" | "jump";
                                title?: string;
                                text?: string;
                                options?: {
                                    label: string;
                                    next: string;
                                }[];
                                next?: string;
                                field?: string;
                                /** @enum {string} */
                                format?: "text" | "number" | "email" | "phone" | "date";
                                outcome?: string;
                                tip?: string;
                                image?: string;
                                script?: number;
                            };
                        };
                    };
                    version?: number;
                };
            };
        };
        responses: {
            /** @description Import a call script */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScriptsId: {
        parameters: {
            query?: {
                version?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A call script */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putScriptsIdDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    graph: {
                        start: string;
                        steps: {
                            [key: string]: {
                                /** @enum {string} */
                                type: "say" | "question" | "input" | "end" | "jump";
                                title?: string;
                                text?: string;
                                options?: {
                                    label: string;
                                    next: string;
                                }[];
                                next?: string;
                                field?: string;
                                /** @enum {string} */
                                format?: "text" | "number" | "email" | "phone" | "date";
                                outcome?: string;
                                tip?: string;
                                image?: string;
                                script?: number;
                            };
                        };
                    };
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Save a script's draft */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postScriptsIdPublish: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Publish a script's draft */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScriptsIdExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Export a call script */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScriptsIdFunnel: {
        parameters: {
            query?: {
                version?: string;
                from?: string;
                to?: string;
                queue?: string;
                agent?: string;
                format?: "json" | "csv";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Where callers leave a script (JSON or CSV) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScriptFunnel"];
                    "text/csv": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScriptRules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Which script a call gets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postScriptRules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    queue?: string;
                    did?: string;
                    /** @enum {string} */
                    direction?: "inbound" | "outbound";
                    /** @enum {string} */
                    stage?: "prospect" | "active" | "regular" | "lost";
                    tag?: string;
                    scriptId: number;
                };
            };
        };
        responses: {
            /** @description Add a script rule */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteScriptRulesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getCallsCallIdScriptRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A call's script run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postCallsCallIdScriptRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                callId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    scriptId: number;
                    version: number;
                    path: {
                        step: string;
                        answer?: string;
                        value?: string;
                        at: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Record a step of a call's script */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReportsCalls: {
        parameters: {
            query?: {
                /** @description start of the range (ISO 8601), inclusive; default: 7 days before `to` */
                from?: string;
                /** @description end of the range (ISO 8601), exclusive; default: now */
                to?: string;
                groupBy?: "day" | "week" | "hour" | "queue" | "agent" | "did";
                queue?: string;
                agent?: string;
                did?: string;
                /** @description time zone for day, week and hour (default REPORTS_TIMEZONE) */
                tz?: string;
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Call-center figures by day, week, hour, queue, agent or DID (JSON or CSV; docs/reports.md) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CallsReport"];
                    "text/csv": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReportsBusiness: {
        parameters: {
            query?: {
                /** @description start of the range (ISO 8601), inclusive; default: 365 days before `to` */
                from?: string;
                /** @description end of the range (ISO 8601), exclusive; default: now */
                to?: string;
                /** @description time zone for months (default REPORTS_TIMEZONE) */
                tz?: string;
                format?: "json" | "csv";
                /** @description with CSV: which table */
                table?: "conversion" | "stages" | "growth" | "processing" | "lost" | "complaints";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Business figures from the CRM: lead conversion by stage and month, time to first contact and to process a request, growth per month, lost clients, complaints (JSON, or one table as CSV) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BusinessReport"];
                    "text/csv": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReportsAgents: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                queue?: string;
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Per agent: calls, missed rings, talk, hold, wrap-up, time per state and pause reason, occupancy (JSON or CSV) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentsReport"];
                    "text/csv": string;
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description API tokens (never the tokens themselves) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ApiToken"][];
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    scopes: ("calls:read" | "clients:read" | "clients:write" | "events:stream")[];
                };
            };
        };
        responses: {
            /** @description Make an API token: shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiTokenCreated"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiTokensId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Outgoing webhooks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Webhook"][];
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** Format: uri */
                    url: string;
                    /** @default [] */
                    events?: string[];
                };
            };
        };
        responses: {
            /** @description Add a webhook: its signing secret is shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookCreated"];
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhooksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksIdDeliveries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A webhook's delivery log (last 200) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WebhookDelivery"][];
                    };
                };
            };
            /** @description bad input (names the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or dead token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description role or token scope does not allow it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStream: {
        parameters: {
            query?: {
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description switching to WebSocket; then one StreamEvent per message */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StreamEvent"];
                };
            };
            /** @description bad `after` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no live API token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the token has no events:stream scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
